#!/usr/bin/env python3
"""A relay in front of the test's PostgreSQL server (unix sockets) that cuts
one station connection at a moment no server stop can hit: right around the
COMMIT of an event (it_pg_queue_cut.sh).

Usage: pg_cut.py LISTEN_DIR SERVER_DIR MODE ARM
  listens on LISTEN_DIR/.s.PGSQL.5432, forwards to SERVER_DIR/.s.PGSQL.5432.
  MODE commit: a COMMIT that follows an INSERT INTO events reaches the
               server, which commits it, but its answer is kept from the
               client and the connection is cut 1.5 s later (the answer lost
               on the way)
  MODE after:  that COMMIT is answered, and the client's next message is
               dropped and the connection cut (before the station's copy of
               the chain could follow)
  The cut happens once, when the file ARM exists, at the first such COMMIT
  after as many as the number ARM holds (empty: none); ARM is then removed.
"""
import os
import socket
import sys
import threading
import time

listen_dir, server_dir, mode, arm = sys.argv[1:5]
SOCK = ".s.PGSQL.5432"


def armed():
    """ARM holds how many more such COMMITs to let pass (empty: none)."""
    try:
        with open(arm) as f:
            skip = int(f.read().strip() or 0)
    except FileNotFoundError:
        return False
    if skip > 0:
        with open(arm, "w") as f:
            f.write(str(skip - 1))
        return False
    os.unlink(arm)
    return True


def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def relay(client):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.connect(os.path.join(server_dir, SOCK))
    except OSError:
        client.close()
        return
    state = {"insert": False, "drop": False, "cut_next": False}

    def answers():
        while True:
            try:
                data = server.recv(65536)
            except OSError:
                break
            if not data:
                break
            if state["drop"]:
                # the COMMIT is done; its answer never arrives — and the
                # station hears of it in a later second, so an event it
                # re-signed now would differ in its time, not only in its
                # signature
                time.sleep(1.5)
                close(client, server)
                return
            try:
                client.sendall(data)
            except OSError:
                break
        close(client, server)

    threading.Thread(target=answers, daemon=True).start()
    while True:
        try:
            data = client.recv(65536)
        except OSError:
            break
        if not data:
            break
        if state["cut_next"]:
            close(client, server)
            return
        if b"INSERT INTO events(" in data:
            state["insert"] = True
        if b"COMMIT" in data and state["insert"]:
            state["insert"] = False
            if mode == "commit" and armed():
                state["drop"] = True
            elif mode == "after" and armed():
                state["cut_next"] = True
        try:
            server.sendall(data)
        except OSError:
            break
    close(client, server)


def main():
    path = os.path.join(listen_dir, SOCK)
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o777)
    listener.listen(16)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client,), daemon=True).start()


main()
