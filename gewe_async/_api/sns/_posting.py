"""Posting Moments: uploads, ``send*Sns``, forwarding, deleting, and upload-then-post helpers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest, FinderVideo, digits
from gewe_async._api.sns._reading import SnsIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.exceptions import GeweError, GeweResponseError, MomentPostError
from gewe_async.types.sns import Moment, MomentOptions, PostedMoment, UploadedImage, UploadedVideo

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class UploadSnsImageRequest(AppIdRequest):
    """Body of ``sns/uploadSnsImage``: one URL or more (see the package's notes)."""

    img_urls: tuple[str, ...] = attrs.field(converter=f.names, validator=f.url_list)


@attrs.frozen(kw_only=True)
class UploadSnsVideoRequest(AppIdRequest):
    """Body of ``sns/uploadSnsVideo``."""

    thumb_url: str = attrs.field(validator=v.http_url)
    video_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class _WxAudience(AppIdRequest):
    allow_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    at_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    disable_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)


@attrs.frozen(kw_only=True)
class _Audience(_WxAudience):
    """Who sees a new Moment: sent in full (empty lists included), as every example does."""

    allow_tag_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    disable_tag_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    privacy: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class SendTextSnsRequest(_Audience):
    """Body of ``sns/sendTextSns``."""

    content: str = attrs.field(validator=f.non_empty_content)


def _images(value: Any) -> tuple[UploadedImage, ...]:
    images = f.names(value)
    if not images or not all(isinstance(i, UploadedImage) for i in images):
        raise TypeError("img_infos must be a non-empty list of UploadedImage (upload_sns_image)")
    return images  # type: ignore[return-value]


@attrs.frozen(kw_only=True)
class SendImgSnsRequest(_Audience):
    """Body of ``sns/sendImgSns``: the images as ``upload_sns_image`` returned them."""

    img_infos: tuple[UploadedImage, ...] = attrs.field(converter=_images)
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class SendVideoSnsRequest(_Audience):
    """Body of ``sns/sendVideoSns``: the video as ``upload_sns_video`` returned it."""

    video_info: UploadedVideo = attrs.field(validator=attrs.validators.instance_of(UploadedVideo))
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class SendUrlSnsRequest(_Audience):
    """Body of ``sns/sendUrlSns``."""

    title: str = attrs.field(validator=f.non_empty_content)
    description: str = attrs.field(validator=f.content)
    link_url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class ForwardSnsRequest(_Audience):
    """Body of ``sns/forwardSns``."""

    sns_xml: str = attrs.field(validator=f.non_empty_content)


_digits = digits


@attrs.frozen(kw_only=True)
class SendFinderSnsRequest(_WxAudience, FinderVideo):
    """Body of ``sns/sendFinderSns``: a Channels video shared to Moments (all fields required)."""


# -- endpoints ----------------------------------------------------------------------------

# Uploads only put a file on WeChat's CDN; a repeat makes a second copy nobody refers to.
UPLOAD_SNS_IMAGE: Final = Endpoint(
    "sns/uploadSnsImage", UploadSnsImageRequest, list[UploadedImage], retry_safe=True
)
UPLOAD_SNS_VIDEO: Final = Endpoint(
    "sns/uploadSnsVideo", UploadSnsVideoRequest, UploadedVideo, retry_safe=True
)
# Posting twice would post twice.
SEND_TEXT_SNS: Final = Endpoint("sns/sendTextSns", SendTextSnsRequest, PostedMoment)
SEND_IMG_SNS: Final = Endpoint("sns/sendImgSns", SendImgSnsRequest, PostedMoment)
SEND_VIDEO_SNS: Final = Endpoint("sns/sendVideoSns", SendVideoSnsRequest, PostedMoment)
SEND_URL_SNS: Final = Endpoint("sns/sendUrlSns", SendUrlSnsRequest, PostedMoment)
FORWARD_SNS: Final = Endpoint("sns/forwardSns", ForwardSnsRequest, PostedMoment)
SEND_FINDER_SNS: Final[Endpoint[None]] = Endpoint("sns/sendFinderSns", SendFinderSnsRequest, None)
# A repeat after a lost answer would be refused (the Moment is gone) and report a deletion
# that worked as failed.
DEL_SNS: Final[Endpoint[None]] = Endpoint("sns/delSns", SnsIdRequest, None, retry_safe=False)

_AUDIENCE: Final = (
    "allow_wx_ids",
    "at_wx_ids",
    "disable_wx_ids",
    "allow_tag_ids",
    "disable_tag_ids",
    "privacy",
)


def _audience(app_id: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """Split a posting method's keyword arguments into the audience fields and call options.

    The audience is checked here, so that a helper refuses it before its first request.
    """
    given: dict[str, Any] = {k: kwargs.pop(k) for k in _AUDIENCE if k in kwargs}
    fields: dict[str, Any] = {**dict.fromkeys(_AUDIENCE[:-1], ()), "privacy": False, **given}
    _Audience(app_id=app_id, **fields)
    options: RequestOptions = kwargs  # type: ignore[assignment]  # what is left is options
    return fields, options


class PostingCalls(APIGroup):
    """The ``client.sns`` methods that post and delete Moments."""

    __slots__ = ()

    async def upload_sns_image(
        self, app_id: str, img_urls: Sequence[str], **options: Unpack[RequestOptions]
    ) -> list[UploadedImage]:
        """Upload images for a Moment, from their URLs (``sns/uploadSnsImage``).

        Raises:
            ValueError: No URL, or one that is not an http(s) URL.
        """
        return await self._call(
            UPLOAD_SNS_IMAGE, UploadSnsImageRequest(app_id=app_id, img_urls=img_urls), options
        )

    async def upload_sns_video(
        self, app_id: str, thumb_url: str, video_url: str, **options: Unpack[RequestOptions]
    ) -> UploadedVideo:
        """Upload a video and its cover image for a Moment (``sns/uploadSnsVideo``)."""
        request = UploadSnsVideoRequest(app_id=app_id, thumb_url=thumb_url, video_url=video_url)
        return await self._call(UPLOAD_SNS_VIDEO, request, options)

    async def send_text_sns(
        self, app_id: str, content: str, **kwargs: Unpack[MomentOptions]
    ) -> PostedMoment:
        """Post a text Moment (``sns/sendTextSns``).

        The audience is given by the keyword arguments of
        [`MomentOptions`][gewe_async.types.sns.MomentOptions]:

        ```python
        await client.sns.send_text_sns("wx_123", "hello", disable_wx_ids=["wxid_boss"])
        ```
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendTextSnsRequest(app_id=app_id, content=content, **fields)
        return await self._call(SEND_TEXT_SNS, request, options)

    async def send_img_sns(
        self,
        app_id: str,
        img_infos: Iterable[UploadedImage],
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post images that ``upload_sns_image`` uploaded (``sns/sendImgSns``).

        [`post_images()`][gewe_async.resources.SnsAPI.post_images] does both steps.
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendImgSnsRequest(app_id=app_id, img_infos=img_infos, content=content, **fields)
        return await self._call(SEND_IMG_SNS, request, options)

    async def send_video_sns(
        self,
        app_id: str,
        video_info: UploadedVideo,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a video that ``upload_sns_video`` uploaded (``sns/sendVideoSns``).

        [`post_video()`][gewe_async.resources.SnsAPI.post_video] does both steps.
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendVideoSnsRequest(
            app_id=app_id, video_info=video_info, content=content, **fields
        )
        return await self._call(SEND_VIDEO_SNS, request, options)

    async def send_url_sns(
        self,
        app_id: str,
        title: str,
        description: str,
        link_url: str,
        thumb_url: str,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a link Moment (``sns/sendUrlSns``)."""
        fields, options = _audience(app_id, dict(kwargs))
        request = SendUrlSnsRequest(
            app_id=app_id,
            title=title,
            description=description,
            link_url=link_url,
            thumb_url=thumb_url,
            content=content,
            **fields,
        )
        return await self._call(SEND_URL_SNS, request, options)

    async def forward_sns(
        self, app_id: str, sns_xml: str, **kwargs: Unpack[MomentOptions]
    ) -> PostedMoment:
        """Repost a Moment from its ``sns_xml`` (``sns/forwardSns``)."""
        fields, options = _audience(app_id, dict(kwargs))
        request = ForwardSnsRequest(app_id=app_id, sns_xml=sns_xml, **fields)
        return await self._call(FORWARD_SNS, request, options)

    async def send_finder_sns(
        self,
        app_id: str,
        *,
        id: int,
        username: str,
        nickname: str,
        head_url: str,
        nonce_id: str,
        media_type: str | int,
        url: str,
        thumb_url: str,
        thumb_url_token: str,
        width: str | int,
        height: str | int,
        video_play_len: str | int,
        description: str,
        allow_wx_ids: Sequence[str] = (),
        at_wx_ids: Sequence[str] = (),
        disable_wx_ids: Sequence[str] = (),
        **options: Unpack[RequestOptions],
    ) -> None:
        """Share a Channels video to Moments (``sns/sendFinderSns``).

        The fields describe the video as the Channels lists return it (``id``, its author's
        ``username``, ``nonce_id`` ...); sizes may be given as ints, they are sent as strings.
        """
        request = SendFinderSnsRequest(
            app_id=app_id,
            allow_wx_ids=allow_wx_ids,
            at_wx_ids=at_wx_ids,
            disable_wx_ids=disable_wx_ids,
            id=id,
            username=username,
            nickname=nickname,
            head_url=head_url,
            nonce_id=nonce_id,
            media_type=media_type,
            url=url,
            thumb_url=thumb_url,
            thumb_url_token=thumb_url_token,
            width=width,
            height=height,
            video_play_len=video_play_len,
            description=description,
        )
        await self._call(SEND_FINDER_SNS, request, options)

    async def del_sns(self, app_id: str, sns_id: int, **options: Unpack[RequestOptions]) -> None:
        """Delete one of the account's Moments (``sns/delSns``)."""
        await self._call(DEL_SNS, SnsIdRequest(app_id=app_id, sns_id=sns_id), options)

    async def delete(
        self, app_id: str, moment: Moment | PostedMoment, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a Moment that a list, ``sns_details`` or a posting method returned."""
        await self.del_sns(app_id, moment.id, **options)

    async def post_images(
        self,
        app_id: str,
        image_urls: Sequence[str],
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a Moment of images from their URLs: upload them, then post them.

        ```python
        try:
            moment = await client.sns.post_images("wx_123", [url1, url2], "周末")
        except MomentPostError as exc:
            print(exc.step, exc.error)  # "upload" or "send", and why
        ```

        Every argument is checked before the first request.

        Raises:
            MomentPostError: A step failed: ``step`` says which, ``error`` why, and
                ``uploaded`` has the uploaded images when the send step failed.
            ValueError: Bad input (nothing was sent).
        """
        fields, options = _audience(app_id, dict(kwargs))
        upload = UploadSnsImageRequest(app_id=app_id, img_urls=image_urls)
        f.content(None, attrs.fields(SendImgSnsRequest).content, content)
        try:
            uploaded: list[UploadedImage] = await self._call(UPLOAD_SNS_IMAGE, upload, options)
            images = tuple(uploaded)
        except GeweError as exc:
            raise MomentPostError("upload", exc) from exc
        if len(images) != len(upload.img_urls):
            got = GeweResponseError(
                f"uploaded {len(images)} images for {len(upload.img_urls)} URLs",
                body="",
                endpoint=UPLOAD_SNS_IMAGE.path,
                app_id=app_id,
            )
            raise MomentPostError("upload", got, images)
        request = SendImgSnsRequest(app_id=app_id, img_infos=images, content=content, **fields)
        try:
            return await self._call(SEND_IMG_SNS, request, options)
        except GeweError as exc:
            raise MomentPostError("send", exc, images) from exc

    async def post_video(
        self,
        app_id: str,
        video_url: str,
        thumb_url: str,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a video Moment from the URLs of the video and its cover: upload, then post.

        Raises:
            MomentPostError: A step failed, as for
                [`post_images()`][gewe_async.resources.SnsAPI.post_images].
            ValueError: Bad input (nothing was sent).
        """
        fields, options = _audience(app_id, dict(kwargs))
        upload = UploadSnsVideoRequest(app_id=app_id, thumb_url=thumb_url, video_url=video_url)
        f.content(None, attrs.fields(SendVideoSnsRequest).content, content)
        try:
            video = await self._call(UPLOAD_SNS_VIDEO, upload, options)
        except GeweError as exc:
            raise MomentPostError("upload", exc) from exc
        request = SendVideoSnsRequest(app_id=app_id, video_info=video, content=content, **fields)
        try:
            return await self._call(SEND_VIDEO_SNS, request, options)
        except GeweError as exc:
            raise MomentPostError("send", exc, video) from exc
