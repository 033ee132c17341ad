"""A minimal HTTP/1.1 keep-alive server on loopback answering a canned getProfile envelope.

It is deliberately tiny (an asyncio Protocol, no framework) so that it is not the bottleneck;
it prints its own CPU seconds when stopped, and the benchmark reports them per request.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys

BODY = json.dumps(
    {
        "ret": 200,
        "msg": "操作成功",
        "data": {
            "alias": None,
            "wxid": "wxid_bench",
            "nickName": "bench",
            "mobile": "13800000000",
            "uin": 1042679712,
            "sex": 1,
            "province": "Jiangsu",
            "city": "Xuzhou",
            "signature": "",
            "country": "CN",
            "bigHeadImgUrl": "https://wx.qlogo.cn/mmhead/ver_1/x/0",
            "smallHeadImgUrl": "https://wx.qlogo.cn/mmhead/ver_1/x/132",
            "regCountry": "CN",
            "snsBgImg": "http://shmmsns.qpic.cn/mmsns/x/0",
        },
    },
    ensure_ascii=False,
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n"
    b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(BODY)
) + BODY


class Answer(asyncio.Protocol):
    requests = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                line_end = head.find(b"\r\n", at)
                length = int(head[at + 15 : line_end if line_end > 0 else None])
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            self.buffer = self.buffer[end:]
            Answer.requests += 1
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Answer, "127.0.0.1", port, backlog=4096)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print(server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "requests": Answer.requests}),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    os._exit(0)
