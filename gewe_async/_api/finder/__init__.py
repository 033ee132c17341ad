"""The Channels module (``/finder/*``, 视频号): accounts, videos, comments, private letters.

Official documentation (doc.geweapi.com): the 视频号模块 section.

Thirty-one endpoints share a handful of request shapes: most act as the account's own
identity (``myUserName`` + ``myRoleType``), many on one video (``objectId`` +
``objectNonceId``). The request classes say that once (``_fields``: `_Me`, `_OnObject`, ...)
and each endpoint adds its own fields. The endpoints and their methods are in four modules by
sub-area: ``_account`` (the identity, following), ``_finding`` (search, pages, lists),
``_reacting`` (views, likes, comments) and ``_publishing`` (videos, private letters). Methods
take keyword arguments after ``app_id``: the calls have many fields of the same type, and
names keep them apart.

Two pages contradict themselves; the Moments guide (``docs/moments.md``) says what we do:

- ``finder/finderOpt``: the request example is not JSON (it carries a ``//`` comment) and the
  page's prose is copied from ``publishFinderCdn``. The schema and the example agree on the
  fields and types, so we follow them: ``id`` is sent as a string of digits (we accept an
  int), ``remain`` and ``opType`` as integers.
- ``finder/publishFinderCdn`` documents only a failure (``ret`` 500, ``发布cdn视频失败``,
  ``data.code`` -4013). A failure raises ``GeweAPIError`` as everywhere; on success we return
  nothing (the success answer is undocumented), and the new video shows in ``user_page``.
"""

from __future__ import annotations

from typing import Final

# The group's endpoints, gathered here: ENDPOINTS is read from this module's names.
from gewe_async._api.finder._account import (  # noqa: F401
    CREATE_FINDER,
    FOLLOW,
    FOLLOW_LIST,
    GET_PROFILE,
    GET_QR_CODE,
    SCAN_FOLLOW,
    SCAN_LOGIN_CHANNELS,
    SEARCH_FOLLOW,
    UPDATE_PROFILE,
    AccountCalls,
)
from gewe_async._api.finder._fields import _digits  # noqa: F401
from gewe_async._api.finder._finding import (  # noqa: F401
    COMMENT_LIST,
    LIKE_FAV_LIST,
    MENTION_LIST,
    SCAN_QR_CODE,
    SEARCH,
    USER_PAGE,
    FindingCalls,
)
from gewe_async._api.finder._publishing import (  # noqa: F401
    CONTACT_LIST,
    POST_PRIVATE_LETTER,
    POST_PRIVATE_LETTER_IMG,
    PUBLISH_FINDER_CDN,
    PUBLISH_FINDER_WEB,
    SYNC_PRIVATE_LETTER_MSG,
    UPLOAD_FINDER_VIDEO,
    PublishingCalls,
)
from gewe_async._api.finder._reacting import (  # noqa: F401
    BROWSE,
    COMMENT,
    FINDER_OPT,
    ID_FAV,
    ID_LIKE,
    SCAN_BROWSE,
    SCAN_COMMENT,
    SCAN_FAV,
    SCAN_LIKE,
    ReactingCalls,
)
from gewe_async._endpoint import declared
from gewe_async._lazy import lazy_attributes

__all__ = ["FinderAPI"]

ENDPOINTS: Final = declared(globals())


# The API reference lists inherited methods from the last base to the first.
class FinderAPI(PublishingCalls, ReactingCalls, FindingCalls, AccountCalls):
    """``client.finder``: WeChat Channels (视频号).

    Most calls act as one of the account's identities: pass ``my_user_name`` (the
    ``main_finder_username`` of [`get_profile()`][gewe_async.resources.FinderAPI.get_profile]) and
    ``my_role_type`` (a [`FinderRole`][gewe_async.types.finder.FinderRole]). Arguments after
    ``app_id`` are keywords; every method accepts ``timeout=``.
    """

    __slots__ = ()


# The name's old home: it moved to `gewe_async.types`.
__getattr__, __dir__ = lazy_attributes(
    __name__, {"Role": "gewe_async.types.finder:Role"}, moved=True
)
