"""The API groups, one module or package each: request bodies, endpoint declarations, methods.

The models they return are in `gewe_async.types`; their classes are served by
`gewe_async.resources`.
"""

from typing import Final

#: Each group's class and where it is defined (``module:Name``), loaded when first named.
API_CLASSES: Final = {
    "ContactsAPI": "gewe_async._api.contacts:ContactsAPI",
    "FavorAPI": "gewe_async._api.favor:FavorAPI",
    "FinderAPI": "gewe_async._api.finder:FinderAPI",
    "GroupAPI": "gewe_async._api.group:GroupAPI",
    "ImAPI": "gewe_async._api.im:ImAPI",
    "LabelAPI": "gewe_async._api.label:LabelAPI",
    "LoginAPI": "gewe_async._api.login:LoginAPI",
    "MessageAPI": "gewe_async._api.message:MessageAPI",
    "PersonalAPI": "gewe_async._api.personal:PersonalAPI",
    "SnsAPI": "gewe_async._api.sns:SnsAPI",
}
