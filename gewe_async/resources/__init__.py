"""The API group classes: what ``client.personal``, ``client.message``, ... are.

A client builds each group on first use, so application code rarely names these classes;
annotations and the API reference do:

```python
from gewe_async.resources import MessageAPI

async def notify(message: MessageAPI, app_id: str) -> None:
    await message.post_text(app_id, "filehelper", "done")
```

They live here rather than at the top level (as ``openai.resources`` holds openai-python's
groups) because each group's module builds hundreds of models: a class is loaded when it is
first named, so ``from gewe_async.resources import MessageAPI`` loads the message group only.
``from gewe_async import PersonalAPI`` still works, with a `DeprecationWarning`.
"""

from typing import TYPE_CHECKING

from gewe_async import _api, _lazy

if TYPE_CHECKING:
    from gewe_async._api.contacts import ContactsAPI as ContactsAPI
    from gewe_async._api.favor import FavorAPI as FavorAPI
    from gewe_async._api.finder import FinderAPI as FinderAPI
    from gewe_async._api.group import GroupAPI as GroupAPI
    from gewe_async._api.im import ImAPI as ImAPI
    from gewe_async._api.label import LabelAPI as LabelAPI
    from gewe_async._api.login import LoginAPI as LoginAPI
    from gewe_async._api.message import MessageAPI as MessageAPI
    from gewe_async._api.personal import PersonalAPI as PersonalAPI
    from gewe_async._api.sns import SnsAPI as SnsAPI

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

__getattr__, __dir__ = _lazy.lazy_attributes(__name__, _api.API_CLASSES)
