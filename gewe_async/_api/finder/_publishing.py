"""Publishing videos, and private letters (私信) with other Channels accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Unpack

import attrs

from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._api.finder._fields import _cursor, _Me, _name, _text, _url
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.finder import LetterContact, PrivateLetterSync, Role, UploadedFinderVideo

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PublishFinderWebRequest(AppIdRequest):
    title: str = attrs.field(validator=f.non_empty_content)
    description: str = _text()
    video_url: str = _url()
    thumb_url: str = _url()


@attrs.frozen(kw_only=True)
class UploadFinderVideoRequest(AppIdRequest):
    video_url: str = _url()
    cover_img_url: str = _url()


def _topics(value: Any) -> tuple[str, ...]:
    return f.names(value)


@attrs.frozen(kw_only=True)
class PublishFinderCdnRequest(_Me):
    description: str = _text()
    topic: tuple[str, ...] = attrs.field(converter=_topics, validator=f.each_name)
    video_cdn: UploadedFinderVideo = attrs.field(
        validator=attrs.validators.instance_of(UploadedFinderVideo)
    )


@attrs.frozen
class _ObjectId:
    id: int


@attrs.frozen(kw_only=True)
class ContactListRequest(_Me):
    query_info: str = _name()


@attrs.frozen(kw_only=True)
class _Letter(AppIdRequest):
    """A private letter: from the account's username to a contact, in their session."""

    my_user_name: str = _name()
    to_user_name: str = _name()
    msg_session_id: str = _name()


@attrs.frozen(kw_only=True)
class PrivateLetterRequest(_Letter):
    content: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class PrivateLetterImgRequest(_Letter):
    img_url: str = _url()


@attrs.frozen(kw_only=True)
class KeyBuffRequest(AppIdRequest):
    key_buff: str = _cursor()


@attrs.frozen
class _NewMsgId:
    new_msg_id: int


# -- endpoints ----------------------------------------------------------------------------

# Uploading puts a file on the CDN; a repeat makes a copy nobody refers to.
UPLOAD_FINDER_VIDEO: Final = Endpoint(
    "finder/uploadFinderVideo", UploadFinderVideoRequest, UploadedFinderVideo, retry_safe=True
)
# Reads: repeating one changes nothing.
CONTACT_LIST: Final = Endpoint(
    "finder/contactList", ContactListRequest, list[LetterContact], retry_safe=True
)
SYNC_PRIVATE_LETTER_MSG: Final = Endpoint(
    "finder/syncPrivateLetterMsg", KeyBuffRequest, PrivateLetterSync, retry_safe=True
)
# Creates something (a video, a letter): a repeat creates it twice, so these are not retried.
PUBLISH_FINDER_WEB: Final = Endpoint("finder/publishFinderWeb", PublishFinderWebRequest, _ObjectId)
# Only its failure answer is documented: no model for a success we have never seen.
PUBLISH_FINDER_CDN: Final[Endpoint[None]] = Endpoint(
    "finder/publishFinderCdn", PublishFinderCdnRequest
)
POST_PRIVATE_LETTER: Final = Endpoint("finder/postPrivateLetter", PrivateLetterRequest, _NewMsgId)
POST_PRIVATE_LETTER_IMG: Final = Endpoint(
    "finder/postPrivateLetterImg", PrivateLetterImgRequest, _NewMsgId
)


class PublishingCalls(APIGroup):
    """The ``client.finder`` methods that publish videos and exchange private letters."""

    __slots__ = ()

    async def publish_finder_web(
        self,
        app_id: str,
        *,
        title: str,
        description: str,
        video_url: str,
        thumb_url: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Publish a video from its URL; returns the new video's id (``publishFinderWeb``)."""
        request = PublishFinderWebRequest(
            app_id=app_id,
            title=title,
            description=description,
            video_url=video_url,
            thumb_url=thumb_url,
        )
        published: _ObjectId = await self._call(PUBLISH_FINDER_WEB, request, options)
        return published.id

    async def upload_finder_video(
        self, app_id: str, *, video_url: str, cover_img_url: str, **options: Unpack[RequestOptions]
    ) -> UploadedFinderVideo:
        """Upload a video to the Channels CDN once, to publish it from many accounts."""
        return await self._call(
            UPLOAD_FINDER_VIDEO,
            UploadFinderVideoRequest(
                app_id=app_id, video_url=video_url, cover_img_url=cover_img_url
            ),
            options,
        )

    async def publish_finder_cdn(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        video_cdn: UploadedFinderVideo,
        description: str,
        topic: Sequence[str] = (),
        **options: Unpack[RequestOptions],
    ) -> None:
        """Publish a video that ``upload_finder_video`` uploaded (``finder/publishFinderCdn``).

        The page documents only the failure (``发布cdn视频失败``, raised as `GeweAPIError`);
        the success answer is undocumented, so nothing is returned: find the new video with
        ``user_page``.
        """
        await self._call(
            PUBLISH_FINDER_CDN,
            PublishFinderCdnRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                description=description,
                topic=topic,
                video_cdn=video_cdn,
            ),
            options,
        )

    async def contact_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        query_info: str,
        **options: Unpack[RequestOptions],
    ) -> list[LetterContact]:
        """Who a private-letter username is, and its ``session_id`` (``finder/contactList``)."""
        request = ContactListRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            my_role_type=my_role_type,
            query_info=query_info,
        )
        contacts: list[LetterContact] = await self._call(CONTACT_LIST, request, options)
        return contacts

    async def post_private_letter(
        self,
        app_id: str,
        *,
        my_user_name: str,
        to_user_name: str,
        msg_session_id: str,
        content: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Send a text private letter; returns its newMsgId (``finder/postPrivateLetter``)."""
        request = PrivateLetterRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            to_user_name=to_user_name,
            msg_session_id=msg_session_id,
            content=content,
        )
        sent: _NewMsgId = await self._call(POST_PRIVATE_LETTER, request, options)
        return sent.new_msg_id

    async def post_private_letter_img(
        self,
        app_id: str,
        *,
        my_user_name: str,
        to_user_name: str,
        msg_session_id: str,
        img_url: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Send an image private letter; returns its newMsgId."""
        request = PrivateLetterImgRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            to_user_name=to_user_name,
            msg_session_id=msg_session_id,
            img_url=img_url,
        )
        sent: _NewMsgId = await self._call(POST_PRIVATE_LETTER_IMG, request, options)
        return sent.new_msg_id

    async def sync_private_letter_msg(
        self, app_id: str, *, key_buff: str = "", **options: Unpack[RequestOptions]
    ) -> PrivateLetterSync:
        """Fetch new private letters; pass the ``key_buff`` of the answer before."""
        return await self._call(
            SYNC_PRIVATE_LETTER_MSG, KeyBuffRequest(app_id=app_id, key_buff=key_buff), options
        )
