# SPDX-License-Identifier: MIT
"""dnsstub.py - a DNS server that misbehaves on purpose, for run-dns.sh.

Usage: /usr/bin/python3 dnsstub.py MODE PORTFILE
Binds 127.0.0.1 on a free port (UDP, and TCP for the tc modes), writes the
port to PORTFILE, and serves until killed.  MODE:
  drop      reads queries and never answers
  rcode=N   answers every query with RCODE N and no records
  decoys    before the real answer (A 192.0.2.1) sends a reply with the
            wrong ID, one that is not a reply (QR clear) and one for another
            question, each with A 192.0.2.66
  tc        UDP: TC set and no records; TCP: A 192.0.2.10 .. 192.0.2.29.
            Each TCP query is counted in PORTFILE.tcp
  tc-hang   UDP: TC set; TCP: accepts and never answers
"""
import os
import socket
import struct
import sys
import threading


def question_end(q):
    i = 12
    while q[i] != 0:
        i += 1 + q[i]
    return i + 1 + 4


def reply(q, rcode=0, answers=(), tc=False, qid=None, qr=True, question=None):
    qid = struct.unpack("!H", q[:2])[0] if qid is None else qid
    question = q[12:question_end(q)] if question is None else question
    flags = (0x8000 if qr else 0) | 0x0100 | 0x0080 | (0x0200 if tc else 0) | rcode
    out = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0) + question
    for a in answers:  # A records owned by the question's name (pointer to 12)
        out += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(a)
    return out


def other_question():
    return b"\x05other\x07example\x00\x00\x01\x00\x01"


def serve_tcp(tsock, mode, portfile):
    while True:
        conn, _ = tsock.accept()
        if mode == "tc-hang":
            threading.Timer(30, conn.close).start()
            continue
        with conn:
            n = struct.unpack("!H", conn.recv(2, socket.MSG_WAITALL))[0]
            q = conn.recv(n, socket.MSG_WAITALL)
            with open(portfile + ".tcp", "a") as f:
                f.write("query\n")
            r = reply(q, answers=["192.0.2.%d" % i for i in range(10, 30)])
            conn.sendall(struct.pack("!H", len(r)) + r)


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    if mode.startswith("tc"):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("127.0.0.1", port))
        t.listen(8)
        threading.Thread(target=serve_tcp, args=(t, mode, portfile), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    while True:
        q, peer = u.recvfrom(4096)
        qid = struct.unpack("!H", q[:2])[0]
        if mode == "drop":
            continue
        if mode.startswith("rcode="):
            u.sendto(reply(q, rcode=int(mode[6:])), peer)
        elif mode == "decoys":
            u.sendto(reply(q, answers=["192.0.2.66"], qid=qid ^ 0x5555), peer)
            u.sendto(reply(q, answers=["192.0.2.66"], qr=False), peer)
            u.sendto(reply(q, answers=["192.0.2.66"], question=other_question()), peer)
            u.sendto(reply(q, answers=["192.0.2.1"]), peer)
        elif mode.startswith("tc"):
            u.sendto(reply(q, tc=True), peer)


if __name__ == "__main__":
    main()
