"""The API group classes: what ``client.personal``, ``client.message``, ... are.

A client builds each group on first use, so application code rarely names these classes;
annotations and the API reference do:

```python
from gewe_async.resources import MessageAPI

async def notify(message: MessageAPI, app_id: str) -> None:
    await message.post_text(app_id, "filehelper", "done")
```

They live here rather than at the top level (as ``openai.resources`` holds openai-python's
groups) because ``import gewe_async`` stays cheap only if it loads none of the ten group
modules, each of which builds hundreds of models. Importing this module loads all ten.
``from gewe_async import PersonalAPI`` still works, with a `DeprecationWarning`.
"""

from gewe_async._api.contacts import ContactsAPI
from gewe_async._api.favor import FavorAPI
from gewe_async._api.finder import FinderAPI
from gewe_async._api.group import GroupAPI
from gewe_async._api.im import ImAPI
from gewe_async._api.label import LabelAPI
from gewe_async._api.login import LoginAPI
from gewe_async._api.message import MessageAPI
from gewe_async._api.personal import PersonalAPI
from gewe_async._api.sns import SnsAPI

__all__ = [
    "ContactsAPI",
    "FavorAPI",
    "FinderAPI",
    "GroupAPI",
    "ImAPI",
    "LabelAPI",
    "LoginAPI",
    "MessageAPI",
    "PersonalAPI",
    "SnsAPI",
]
