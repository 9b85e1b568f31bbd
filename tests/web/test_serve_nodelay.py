"""Connections on the sockets of ``hiplab serve --workers N`` have Nagle's algorithm off.

asyncio sets ``TCP_NODELAY`` only on connections of sockets that name TCP as their
protocol. uvicorn's own socket for several workers is ``socket.socket(AF_INET)``
(protocol 0): every keep-alive request after the first then waited ~40 ms for a
delayed ACK. :func:`hiplab.web.serve.listening_socket` names TCP. Real sockets on
loopback, served by a real asyncio server.
"""

from __future__ import annotations

import asyncio
import socket

from hiplab.web.serve import listening_socket


async def _nodelay_of_a_connection(listener: socket.socket) -> int:
    served: list[asyncio.BaseTransport] = []

    class Keep(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            served.append(transport)

    server = await asyncio.get_running_loop().create_server(Keep, sock=listener)
    try:
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        while not served:
            await asyncio.sleep(0.01)
        value = (
            served[0].get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        )
        writer.close()
        return int(value)
    finally:
        for transport in served:
            transport.close()
        server.close()
        await server.wait_closed()


def test_a_worker_sockets_connections_have_nagle_off() -> None:
    listener = listening_socket("127.0.0.1", 0)
    assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0
    assert asyncio.run(_nodelay_of_a_connection(listener)) != 0


def test_a_socket_naming_no_protocol_leaves_it_on() -> None:
    """Why the protocol is named; if this fails, asyncio now sets it whatever the socket."""
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    assert asyncio.run(_nodelay_of_a_connection(listener)) == 0
