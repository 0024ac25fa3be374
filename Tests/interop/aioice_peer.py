"""An aioice (PyPI) ICE agent for interop tests: one JSON object per line.

Out: {"ufrag","pwd","candidates":[...]} once gathered, then {"state":"connected"},
then {"received": text} for each datagram, {"error": ...} on failure.
In: {"ufrag","pwd","candidates":[...]} from the other side (end of candidates
implied), then {"send": text} lines to send on the connected path.
"""

import argparse
import asyncio
import json
import sys

import aioice


def emit(obj):
    print(json.dumps(obj), flush=True)


async def main(controlling):
    conn = aioice.Connection(ice_controlling=controlling, use_ipv6=False)
    await conn.gather_candidates()
    emit({"ufrag": conn.local_username, "pwd": conn.local_password,
          "candidates": ["candidate:" + c.to_sdp() for c in conn.local_candidates]})
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    remote = json.loads(await reader.readline())
    conn.remote_username = remote["ufrag"]
    conn.remote_password = remote["pwd"]
    for line in remote["candidates"]:
        await conn.add_remote_candidate(aioice.Candidate.from_sdp(line.removeprefix("candidate:")))
    await conn.add_remote_candidate(None)
    try:
        await asyncio.wait_for(conn.connect(), 15)
    except Exception as error:  # noqa: BLE001 - reported to the test
        emit({"error": f"connect failed: {error!r}"})
        return
    emit({"state": "connected"})

    async def receive():
        while True:
            data = await conn.recv()
            emit({"received": data.decode()})

    receiving = asyncio.ensure_future(receive())
    while line := await reader.readline():
        command = json.loads(line)
        if "send" in command:
            await conn.send(command["send"].encode())
    receiving.cancel()
    await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--controlling", action="store_true")
    asyncio.run(main(parser.parse_args().controlling))
