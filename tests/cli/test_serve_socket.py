"""`lead serve --workers N` shares one listening socket; its connections must not wait on Nagle."""

from __future__ import annotations

import asyncio
import socket

from takethelead.cli.serve import tcp_socket


def test_connections_accepted_on_the_shared_socket_have_nagle_turned_off() -> None:
    listening = tcp_socket("127.0.0.1", 0)
    listening.listen()
    port = listening.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen and seen[0] != 0


def test_a_port_in_use_is_a_clear_error() -> None:
    taken = tcp_socket("127.0.0.1", 0)
    taken.listen()
    port = taken.getsockname()[1]
    try:
        tcp_socket("127.0.0.1", port)
    except BaseException as exc:  # typer.Exit after the one-line message
        assert type(exc).__name__ == "Exit"
    else:
        raise AssertionError("binding a taken port should fail")
    finally:
        taken.close()
