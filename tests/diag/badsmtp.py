#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""badsmtp.py - a scripted misbehaving SMTP server, for the replies no real
server gives on demand (the verdict matrix, tests/diag/).

It listens on 127.0.0.1 (--port 0: a free port), prints "READY <port>" once
bound and answers each command from its script; anything not scripted gets
a plain 250 (354 to DATA, 221 to QUIT).

  --reply CMD=TEXT   CMD is GREETING, EHLO, HELO, MAIL, RCPT, DATA, BODY (the
                     reply to the end of the message), AUTH, STARTTLS, RSET;
                     TEXT is the whole reply, lines separated by '|';
                     "silent" never answers (the connection stays open)
  --tls-alert NAME   implicit TLS whose handshake the server ends with the
                     alert NAME (internal_error, handshake_failure, ...)
                     through the SNI callback: an error on the server's side
  --cert FILE --key FILE   for --tls-alert

Each connection is served by a thread; it stops on SIGTERM.
"""
import argparse
import signal
import socket
import ssl
import sys
import threading


def serve(conn, replies):
    f = conn.makefile("rwb", buffering=0)

    def say(key, default):
        text = replies.get(key, default)
        if text == "silent":
            threading.Event().wait()  # hold the connection until we are killed
        for i, line in enumerate(text.split("|")):
            code, rest = line[:3], line[3:].lstrip(" -")
            sep = "-" if i < len(text.split("|")) - 1 else " "
            f.write(("%s%s%s\r\n" % (code, sep, rest)).encode())

    try:
        say("GREETING", "220 bad.test ESMTP scripted")
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("latin-1").strip().split(" ")[0].upper()
            if cmd == "QUIT":
                say("QUIT", "221 2.0.0 Bye")
                return
            if cmd == "DATA":
                say("DATA", "354 End data with <CR><LF>.<CR><LF>")
                if replies.get("DATA", "354")[:1] != "3":
                    continue
                while True:
                    body = f.readline()
                    if not body or body in (b".\r\n", b".\n"):
                        break
                say("BODY", "250 2.0.0 Ok: queued")
                continue
            defaults = {"EHLO": "250-bad.test|250 PIPELINING", "HELO": "250 bad.test",
                        "STARTTLS": "454 4.7.0 TLS not available"}
            say(cmd, defaults.get(cmd, "250 2.0.0 Ok"))
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def serve_tls_alert(conn, ctx):
    try:
        ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        pass
    conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--reply", action="append", default=[], metavar="CMD=TEXT")
    p.add_argument("--tls-alert")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--pki")  # given by lib-smtp.sh's launch_server: unused
    p.add_argument("--spool")
    o = p.parse_args()
    replies = {}
    for r in o.reply:
        k, _, v = r.partition("=")
        replies[k.upper()] = v
    ctx = None
    if o.tls_alert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(o.cert, o.key)
        alert = getattr(ssl, "ALERT_DESCRIPTION_" + o.tls_alert.upper())
        ctx.sni_callback = lambda sock, name, c: alert

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", o.port))
    s.listen(16)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("READY %d" % s.getsockname()[1], flush=True)
    while True:
        conn, _ = s.accept()
        target = (lambda c=conn: serve_tls_alert(c, ctx)) if ctx else \
            (lambda c=conn: serve(c, replies))
        threading.Thread(target=target, daemon=True).start()


if __name__ == "__main__":
    main()
