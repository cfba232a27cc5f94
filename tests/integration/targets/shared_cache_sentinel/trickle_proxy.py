# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP proxy that forwards what the client sends at once and what the server answers one byte per second:
a store that is up and answering, each byte well within the socket timeout, and never done.

    python trickle_proxy.py LISTEN_PORT_FILE SERVER_PORT
"""

import asyncio
import sys


async def pipe(reader, writer, pace):
    try:
        while True:
            data = await reader.read(1 if pace else 65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            if pace:
                await asyncio.sleep(pace)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(port_file, server_port):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection('127.0.0.1', server_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, 0), pipe(server_reader, client_writer, 1.0))

    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    with open(port_file, 'w') as handle:
        handle.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
