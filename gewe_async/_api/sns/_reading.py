"""Reading Moments (lists, one Moment, its video) and the account's Moments settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async._paging import Page
from gewe_async.types.message import FileUrl
from gewe_async.types.sns import Moment, MomentPage, VisibleScope

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SnsIdRequest(AppIdRequest):
    """Body of ``sns/snsDetails`` and ``sns/delSns``."""

    sns_id: int = attrs.field(validator=f.object_id)


@attrs.frozen(kw_only=True)
class SnsListRequest(AppIdRequest):
    """Body of ``sns/snsList``; every field is sent, as in the example (``maxId`` 0 first)."""

    max_id: int = attrs.field(validator=f.uint64)
    first_page_md5: str = attrs.field(validator=f.cursor)
    decrypt: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class ContactsSnsListRequest(SnsListRequest):
    """Body of ``sns/contactsSnsList``: ``sns/snsList``'s and the friend's wxid."""

    wxid: str = attrs.field(kw_only=True, validator=f.name)


@attrs.frozen(kw_only=True)
class SnsXmlRequest(AppIdRequest):
    """Body of ``sns/downloadSnsVideo``."""

    sns_xml: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class SnsSetPrivacyRequest(SnsIdRequest):
    """Body of ``sns/snsSetPrivacy``: the Moment and whether it is public."""

    open: bool = attrs.field(validator=v.boolean)


def _to_scope(value: object) -> VisibleScope:
    return v.to_int_enum(VisibleScope, value)


@attrs.frozen(kw_only=True)
class SnsVisibleScopeRequest(AppIdRequest):
    """Body of ``sns/snsVisibleScope``."""

    option: VisibleScope = attrs.field(converter=_to_scope)


@attrs.frozen(kw_only=True)
class StrangerVisibilityRequest(AppIdRequest):
    """Body of ``sns/strangerVisibilityEnabled``."""

    enabled: bool = attrs.field(validator=v.boolean)


# -- endpoints ----------------------------------------------------------------------------

# Reads: repeating one changes nothing.
SNS_LIST: Final = Endpoint("sns/snsList", SnsListRequest, MomentPage, retry_safe=True)
CONTACTS_SNS_LIST: Final = Endpoint(
    "sns/contactsSnsList", ContactsSnsListRequest, MomentPage, retry_safe=True
)
SNS_DETAILS: Final = Endpoint("sns/snsDetails", SnsIdRequest, Moment, retry_safe=True)
DOWNLOAD_SNS_VIDEO: Final = Endpoint(
    "sns/downloadSnsVideo", SnsXmlRequest, FileUrl, retry_safe=True
)
# Setters of an absolute value: a repeat is harmless.
SNS_SET_PRIVACY: Final[Endpoint[None]] = Endpoint(
    "sns/snsSetPrivacy", SnsSetPrivacyRequest, None, retry_safe=True
)
SNS_VISIBLE_SCOPE: Final[Endpoint[None]] = Endpoint(
    "sns/snsVisibleScope", SnsVisibleScopeRequest, None, retry_safe=True
)
STRANGER_VISIBILITY_ENABLED: Final[Endpoint[None]] = Endpoint(
    "sns/strangerVisibilityEnabled", StrangerVisibilityRequest, None, retry_safe=True
)


class ReadingCalls(APIGroup):
    """The ``client.sns`` methods that read Moments and set who sees them."""

    __slots__ = ()

    async def sns_list(
        self,
        app_id: str,
        max_id: int = 0,
        first_page_md5: str = "",
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> MomentPage:
        """Fetch one page of the account's own Moments (``sns/snsList``).

        Pass ``max_id`` 0 and ``first_page_md5`` ``""`` for the first page, then the values
        of the page before. [`iter_sns_list()`][gewe_async.resources.SnsAPI.iter_sns_list] does it.
        """
        request = SnsListRequest(
            app_id=app_id, max_id=max_id, first_page_md5=first_page_md5, decrypt=decrypt
        )
        return await self._call(SNS_LIST, request, options)

    async def contacts_sns_list(
        self,
        app_id: str,
        wxid: str,
        max_id: int = 0,
        first_page_md5: str = "",
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> MomentPage:
        """Fetch one page of a friend's Moments (``sns/contactsSnsList``)."""
        request = ContactsSnsListRequest(
            app_id=app_id, max_id=max_id, first_page_md5=first_page_md5, decrypt=decrypt, wxid=wxid
        )
        return await self._call(CONTACTS_SNS_LIST, request, options)

    def iter_sns_list(
        self,
        app_id: str,
        *,
        limit: int | None = None,
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Moment]:
        """Iterate over the account's own Moments, newest first, page after page.

        ```python
        async for moment in client.sns.iter_sns_list("wx_123", limit=30):
            print(moment.id, moment.like_count)
        ```

        Stops at the end of the list or after ``limit`` Moments, without fetching a page it
        would not use. An error while fetching a page is raised from the ``async for``.

        Raises:
            ValueError: ``limit`` is negative.
        """
        first = SnsListRequest(app_id=app_id, max_id=0, first_page_md5="", decrypt=decrypt)
        return self._moments(SNS_LIST, first, limit, options)

    def iter_contacts_sns_list(
        self,
        app_id: str,
        wxid: str,
        *,
        limit: int | None = None,
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Moment]:
        """Iterate over a friend's Moments, newest first (see ``iter_sns_list``)."""
        first = ContactsSnsListRequest(
            app_id=app_id, wxid=wxid, max_id=0, first_page_md5="", decrypt=decrypt
        )
        return self._moments(CONTACTS_SNS_LIST, first, limit, options)

    def _moments(
        self,
        endpoint: Endpoint[MomentPage],
        first: SnsListRequest,
        limit: int | None,
        options: RequestOptions,
    ) -> AsyncIterator[Moment]:
        # The iter_* body: the first page's request (built, so checked, by the caller) with
        # each next page's maxId and firstPageMd5 in it.
        return self._paged(
            endpoint,
            lambda cursor: attrs.evolve(first, max_id=cursor[0], first_page_md5=cursor[1]),
            (0, ""),
            _moment_page,
            limit,
            options,
        )

    async def sns_details(
        self, app_id: str, sns_id: int, **options: Unpack[RequestOptions]
    ) -> Moment:
        """Fetch one Moment with its likes and comments (``sns/snsDetails``)."""
        return await self._call(SNS_DETAILS, SnsIdRequest(app_id=app_id, sns_id=sns_id), options)

    async def download_sns_video(
        self, app_id: str, sns_xml: str, **options: Unpack[RequestOptions]
    ) -> str:
        """Get a download URL for the video of a Moment (``sns/downloadSnsVideo``).

        ``sns_xml`` is the Moment's [`sns_xml`][gewe_async.types.sns.Moment.sns_xml].
        """
        answer = await self._call(
            DOWNLOAD_SNS_VIDEO, SnsXmlRequest(app_id=app_id, sns_xml=sns_xml), options
        )
        return answer.file_url

    async def sns_set_privacy(
        self, app_id: str, sns_id: int, open: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Make one of the account's Moments public (``open=True``) or private."""
        await self._call(
            SNS_SET_PRIVACY, SnsSetPrivacyRequest(app_id=app_id, sns_id=sns_id, open=open), options
        )

    async def sns_visible_scope(
        self, app_id: str, option: VisibleScope | int, **options: Unpack[RequestOptions]
    ) -> None:
        """Set how far back friends may see the account's Moments (``sns/snsVisibleScope``).

        Raises:
            ValueError: ``option`` is not 1 to 4 (a
                [`VisibleScope`][gewe_async.types.sns.VisibleScope]).
        """
        await self._call(
            SNS_VISIBLE_SCOPE, SnsVisibleScopeRequest(app_id=app_id, option=option), options
        )

    async def stranger_visibility_enabled(
        self, app_id: str, enabled: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Let strangers see ten of the account's Moments, or not."""
        request = StrangerVisibilityRequest(app_id=app_id, enabled=enabled)
        await self._call(STRANGER_VISIBILITY_ENABLED, request, options)


def _moment_page(page: MomentPage) -> Page[Moment, tuple[int, str]]:
    # The next page starts after the last Moment of this one: maxId is its id. No maxId
    # means the end.
    items = page.sns_list or []
    return Page(items, (page.max_id, page.first_page_md5) if page.max_id else None)
