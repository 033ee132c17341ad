"""The models of every API group: what calls return, and the enums they take.

One module per group of the API, named as the path's first segment:

```python
from gewe_async.types.personal import Profile
from gewe_async.types.message import SentMessage
```

The top-level package keeps the client, its configuration and the errors.
"""
