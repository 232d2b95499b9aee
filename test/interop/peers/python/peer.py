"""python-socketio as an interop test peer of switchyard (client or server role).

Driven by test/interop: JSON commands arrive one per line on stdin, and everything the peer
sees is printed as one JSON object per line on stdout. Binary values travel in JSON as
{"$b64": "<base64>"}. Usage: peer.py client | peer.py server PORT (0 = any free port).

Fixed behaviour (the same in every peer): an event received with an ack request is answered
with the arguments it carried; an event named "slow" is answered after args[0] milliseconds.
As a server: namespaces "/" and "/auth" (which wants auth {"token": "s3cret"} and refuses
others with the message "unauthorized"); every other namespace is refused by the library.
"""

import asyncio
import base64
import importlib.metadata
import json
import sys

import socketio

IMPL = "python-socketio"
VERSION = importlib.metadata.version("python-socketio")
TOKEN = "s3cret"


def to_wire(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    return value


def from_wire(value):
    if isinstance(value, dict):
        if list(value.keys()) == ["$b64"]:
            return base64.b64decode(value["$b64"])
        return {key: from_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    return value


def out(**fields):
    sys.stdout.write(json.dumps(to_wire(fields)) + "\n")
    sys.stdout.flush()


def emit_data(args):
    """python-socketio sends a tuple as several arguments; one argument goes as itself."""
    return tuple(from_wire(args))


async def answer(event, args):
    """The ack arguments of the fixed behaviour (as a tuple: several ack arguments)."""
    if event == "slow" and args:
        await asyncio.sleep(args[0] / 1000)
    return tuple(args)


async def emit_with_ack(emit, timeout_ms):
    """Calls emit(callback) and resolves with the ack's arguments, or raises TimeoutError."""
    loop = asyncio.get_running_loop()
    settled = loop.create_future()

    def callback(*args):
        if not settled.done():
            settled.set_result(list(args))

    await emit(callback)
    return await asyncio.wait_for(settled, timeout_ms / 1000)


async def commands(handle):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line == "":
            return
        if line.strip() == "":
            continue
        command = json.loads(line)
        if command.get("op") == "exit":
            return
        loop.create_task(run_command(handle, command))


async def run_command(handle, command):
    req = command.get("req")
    try:
        result = await handle(command)
        out(ev="reply", req=req, ok=True, args=result if result is not None else [])
    except asyncio.TimeoutError:
        out(ev="reply", req=req, ok=False, error="timeout")
    except Exception as error:  # reported to the test, which decides
        out(ev="reply", req=req, ok=False, error=f"{type(error).__name__}: {error}")


# --- client role -----------------------------------------------------------------------------


class Clients:
    def __init__(self):
        self.clients = {}

    def create(self, command):
        """A client whose first connect or connect_error settles the returned future."""
        cid = command["id"]
        nsp = command.get("nsp", "/")
        settled = asyncio.get_running_loop().create_future()
        client = socketio.AsyncClient(
            reconnection=command.get("reconnection", True),
            reconnection_delay=0.1,
            reconnection_delay_max=0.5,
            randomization_factor=0,
        )

        async def on_connect():
            out(ev="connect", id=cid, nsp=nsp, sid=client.get_sid(nsp),
                transport=client.transport())
            if not settled.done():
                settled.set_result([client.get_sid(nsp)])

        async def on_connect_error(*data):
            out(ev="connect_error", id=cid, nsp=nsp, data=list(data))
            if not settled.done():
                settled.set_exception(ConnectionError(f"connect_error: {list(data)}"))

        async def on_disconnect(*reason):
            out(ev="disconnect", id=cid, nsp=nsp, reason=list(reason))

        async def on_any(event, *args):
            out(ev="event", id=cid, nsp=nsp, name=event, args=list(args))
            return await answer(event, list(args))

        client.on("connect", on_connect, namespace=nsp)
        client.on("connect_error", on_connect_error, namespace=nsp)
        client.on("disconnect", on_disconnect, namespace=nsp)
        client.on("*", on_any, namespace=nsp)
        self.clients[cid] = (client, nsp)
        return client, nsp, settled

    async def handle(self, command):
        op = command["op"]
        if op == "connect":
            # Without waiting in connect(): 5.7 waits there for wait_timeout after a refusal.
            client, nsp, settled = self.create(command)
            await client.connect(
                command["url"],
                namespaces=[nsp],
                transports=command.get("transports"),
                auth=command.get("auth"),
                socketio_path="socket.io",
                wait=False,
            )
            return await asyncio.wait_for(settled, 15)
        client, nsp = self.clients[command["id"]]
        if op == "emit":
            async def emit(callback=None):
                await client.emit(command["name"], emit_data(command.get("args", [])),
                                  namespace=nsp, callback=callback)
            if "timeoutMs" in command:
                return await emit_with_ack(emit, command["timeoutMs"])
            await emit()
            return []
        if op == "disconnect":
            await client.disconnect()
            return []
        if op == "transport":
            return [client.transport()]
        raise ValueError(f"unknown op {op}")


async def run_client():
    clients = Clients()
    out(ev="ready", impl=IMPL, version=VERSION, role="client")
    await commands(clients.handle)
    for client, _ in clients.clients.values():
        if client.connected:
            await client.disconnect()


# --- server role -----------------------------------------------------------------------------


async def run_server(port):
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", namespaces=["/", "/auth"])
    app = web.Application()
    sio.attach(app)

    def register(nsp):
        async def on_connect(sid, environ, auth=None):
            if nsp == "/auth" and (not isinstance(auth, dict) or auth.get("token") != TOKEN):
                raise socketio.exceptions.ConnectionRefusedError("unauthorized")
            out(ev="connection", sid=sid, nsp=nsp, auth=auth)

        async def on_disconnect(sid, *reason):
            out(ev="disconnect", sid=sid, nsp=nsp, reason=list(reason))

        async def on_any(event, sid, *args):
            out(ev="event", sid=sid, nsp=nsp, name=event, args=list(args))
            return await answer(event, list(args))

        sio.on("connect", on_connect, namespace=nsp)
        sio.on("disconnect", on_disconnect, namespace=nsp)
        sio.on("*", on_any, namespace=nsp)

    register("/")
    register("/auth")

    async def handle(command):
        op = command["op"]
        nsp = command.get("nsp", "/")
        if op == "emit":
            async def emit(callback=None):
                await sio.emit(command["name"], emit_data(command.get("args", [])),
                               to=command["to"], namespace=nsp, callback=callback)
            if "timeoutMs" in command:
                return await emit_with_ack(emit, command["timeoutMs"])
            await emit()
            return []
        if op == "join":
            entered = sio.enter_room(command["sid"], command["room"], namespace=nsp)
            if asyncio.iscoroutine(entered):
                await entered
            return []
        if op == "disconnect":
            await sio.disconnect(command["sid"], namespace=nsp)
            return []
        raise ValueError(f"unknown op {op}")

    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = runner.addresses[0][1]
    out(ev="ready", impl=IMPL, version=VERSION, role="server", port=bound)
    await commands(handle)
    await runner.cleanup()


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role == "client":
        asyncio.run(run_client())
    elif role == "server":
        asyncio.run(run_server(int(sys.argv[2]) if len(sys.argv) > 2 else 0))
    else:
        sys.exit("usage: peer.py client | peer.py server PORT")


if __name__ == "__main__":
    main()
