#!/usr/bin/env bash
# smtp.sh - the SMTP client library against the clients an operator would
# otherwise use, side by side in one run, 1,000 messages of 1 KB each to
# Postfix's smtp-sink on loopback (issue 3):
#   1. one connection, plain          smtpbench       vs smtp-source -d
#   2. ten connections, plain         smtpbench -c 10 vs smtp-source -d -s 10
#   3. one SMTPS connection           smtpbench       vs Python smtplib
#   4. a new SMTPS connection per message (reported, with smtplib beside it)
# SMTPS goes through bench/smtp/tlsfront.c, an implicit-TLS relay in front
# of smtp-sink (which has no TLS).  Everything is checked first (dump files
# compared with the message sent), and every timed step against smtp-sink's
# counters.  Targets: 1 and 2 >= 1.0x, 3 >= 2x.  bench/smtp/bench.py does
# the work; see docs/benchmarks.md.
# Environment: N (messages, 1000), N_TLS (messages of case 4, 300), ROUNDS
# (5), REPEAT (steps per side and round in cases 1-3, 5), BUILD (build),
# SMTPBENCH and TLSFRONT (the programs; default BUILD/bench/...).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-$SRC_DIR/build}
SMTPBENCH=${SMTPBENCH:-$BUILD/bench/smtpbench}
TLSFRONT=${TLSFRONT:-$BUILD/bench/smtpbench-tlsfront}
if [ ! -x /usr/sbin/smtp-sink ] || [ ! -x /usr/sbin/smtp-source ]; then
	die "smtp-sink and smtp-source are not installed (apt-get install postfix)"
fi
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is not installed"
mkdir -p "$BENCH_OUT"

# The programs: CMake's targets when bench/ is part of the build, else built
# here from the release build's libappsh_core.a with CMake's flags.
if [ -d "$BUILD/bench/CMakeFiles/smtpbench.dir" ]; then
	cmake --build "$BUILD" --target smtpbench smtpbench-tlsfront >/dev/null ||
		die "cannot build smtpbench"
elif [ "${SMTPBENCH#"$BUILD"/bench/}" != "$SMTPBENCH" ]; then
	LIB=$BUILD/libappsh_core.a
	[ -f "$LIB" ] || die "no $LIB (cmake -S . -B build && cmake --build build)"
	CFLAGS_BENCH=(-std=c17 -O2 -g -DNDEBUG -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
		-Wstrict-prototypes -Wformat=2 -Wno-missing-field-initializers)
	mkdir -p "$BUILD/bench"
	if [ ! "$SMTPBENCH" -nt "$LIB" ] || [ ! "$SMTPBENCH" -nt "$BENCH_DIR/smtp/smtpbench.c" ]; then
		cc "${CFLAGS_BENCH[@]}" -I"$SRC_DIR" -o "$SMTPBENCH" "$BENCH_DIR/smtp/smtpbench.c" "$LIB" \
			-lssl -lcrypto -lsqlite3 || die "cannot build smtpbench"
	fi
	if [ ! "$TLSFRONT" -nt "$BENCH_DIR/smtp/tlsfront.c" ]; then
		cc "${CFLAGS_BENCH[@]}" -o "$TLSFRONT" "$BENCH_DIR/smtp/tlsfront.c" -lssl -lcrypto ||
			die "cannot build smtpbench-tlsfront"
	fi
fi
if [ ! -x "$SMTPBENCH" ] || [ ! -x "$TLSFRONT" ]; then
	die "no $SMTPBENCH or $TLSFRONT"
fi

echo "smtp: smtpbench against smtp-sink $(dpkg-query -W -f='${Version}' postfix 2>/dev/null)," \
	"$(openssl version | cut -d' ' -f1-2), Python $(/usr/bin/python3 -c 'import platform; print(platform.python_version())')"
/usr/bin/python3 "$BENCH_DIR/smtp/bench.py" --smtpbench "$SMTPBENCH" --front "$TLSFRONT" \
	--out "$BENCH_OUT" --messages "${N:-1000}" --tls-messages "${N_TLS:-300}" \
	--rounds "${ROUNDS:-5}" --repeat "${REPEAT:-5}" || die "the SMTP benchmark failed"
cat "$BENCH_OUT/smtp-summary.tsv" >>"$BENCH_OUT/summary.tsv"
