// The server role: namespaces "/" and "/auth" on a loopback port, driven by commands.
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

func register(io *socket.Server, name string) {
	nsp := io.Of(name, nil)
	if name == "/auth" {
		nsp.Use(func(client *socket.Socket, next func(*socket.ExtendedError)) {
			auth := client.Handshake().Auth
			if auth == nil || auth["token"] != token {
				next(socket.NewExtendedError("unauthorized", nil))
				return
			}
			next(nil)
		})
	}
	nsp.On("connection", func(args ...any) {
		client := args[0].(*socket.Socket)
		sid := string(client.Id())
		out(map[string]any{"ev": "connection", "sid": sid, "nsp": name,
			"auth": client.Handshake().Auth})
		client.On("disconnect", func(reason ...any) {
			out(map[string]any{"ev": "disconnect", "sid": sid, "nsp": name, "reason": reason[:1]})
		})
		client.OnAny(func(all ...any) {
			if len(all) == 0 {
				return
			}
			event, _ := all[0].(string)
			args, ack := splitAck(all[1:])
			out(map[string]any{"ev": "event", "sid": sid, "nsp": name, "name": event, "args": args})
			if ack != nil {
				go answer(event, args, ack)
			}
		})
	})
}

func serverCommand(io *socket.Server, command Command) {
	nsp := command.Nsp
	if nsp == "" {
		nsp = "/"
	}
	namespace := io.Of(nsp, nil)
	find := func(sid string) (*socket.Socket, error) {
		client, ok := namespace.Sockets().Load(socket.SocketId(sid))
		if !ok {
			return nil, fmt.Errorf("no socket %s in %s", sid, nsp)
		}
		return client, nil
	}
	switch command.Op {
	case "emit":
		args := plainArgs(command.Args)
		client, err := find(command.To)
		if err != nil {
			// Not a socket id: a room.
			reply(command.Req, nil, namespace.To(socket.Room(command.To)).Emit(command.Name, args...))
			return
		}
		if command.TimeoutMs == nil {
			reply(command.Req, nil, client.Emit(command.Name, args...))
			return
		}
		client.Timeout(duration(command.TimeoutMs)).EmitWithAck(command.Name, args...)(
			func(response []any, err error) { reply(command.Req, response, err) })
	case "join":
		client, err := find(command.Sid)
		if err == nil {
			client.Join(socket.Room(command.Room))
		}
		reply(command.Req, nil, err)
	case "disconnect":
		client, err := find(command.Sid)
		if err == nil {
			client.Disconnect(false)
		}
		reply(command.Req, nil, err)
	default:
		reply(command.Req, nil, errors.New("unknown op "+command.Op))
	}
}

func runServer(port int) {
	io := socket.NewServer(nil, nil)
	register(io, "/")
	register(io, "/auth")
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io.ServeHandler(nil))
	go func() { _ = http.Serve(listener, mux) }()
	ready("server", map[string]any{"port": listener.Addr().(*net.TCPAddr).Port})
	readCommands(func(command Command) { serverCommand(io, command) })
	_ = listener.Close()
}
