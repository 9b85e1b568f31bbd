"""Connections of ``hiplab serve`` have Nagle's algorithm off, on a socket made as uvicorn does.

uvicorn's listening socket for ``--workers N`` is ``socket.socket(AF_INET)`` (protocol 0),
and asyncio only sets ``TCP_NODELAY`` on connections of sockets that name TCP: each
keep-alive request then waited ~40 ms for a delayed ACK. :class:`NoDelayProtocol` sets
it itself. Real sockets on loopback, the protocol class ``hiplab serve`` passes uvicorn.
"""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from hiplab.web.serve import NoDelayProtocol


async def _app(scope: object, receive: object, send: object) -> None:  # never called
    raise AssertionError("no request is sent")


async def _nodelay_of_a_connection(protocol: type[H11Protocol]) -> int:
    config = uvicorn.Config(app=_app, log_level="warning")
    config.load()
    state = ServerState()
    made: list[H11Protocol] = []

    def factory() -> H11Protocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listener = socket.socket(family=socket.AF_INET)  # protocol 0, as uvicorn binds it
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    try:
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        while not made or not hasattr(made[0], "transport"):
            await asyncio.sleep(0.01)
        served = made[0].transport.get_extra_info("socket")
        value = served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return int(value)
    finally:
        server.close()
        for connection in made:
            connection.transport.close()
        await server.wait_closed()


def test_the_served_connection_has_nagle_off() -> None:
    assert asyncio.run(_nodelay_of_a_connection(NoDelayProtocol)) != 0


def test_uvicorns_own_protocol_leaves_it_on_there() -> None:
    """Why the subclass exists; if this starts failing, uvicorn or asyncio fixed it upstream."""
    assert asyncio.run(_nodelay_of_a_connection(H11Protocol)) == 0
