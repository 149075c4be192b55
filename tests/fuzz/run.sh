#!/bin/bash
# Build the libFuzzer targets of tests/fuzz/ with clang (-fsanitize=fuzzer,
# address,undefined) and run each for FUZZ_SECONDS (default 60) from its
# seed corpus. Any crash, leak or sanitizer report fails the run; the input
# that caused it is left in build-fuzz/ for a regression seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out"
command -v clang >/dev/null || { echo "tests/fuzz: clang is missing; run scripts/deps" >&2; exit 1; }
flags=(-std=c17 -D_GNU_SOURCE -DWP_VERSION='"fuzz"' -g -O1 -Icerts
       -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
# shellcheck disable=SC2207
libs=($(pkg-config --cflags --libs libcrypto jansson))
status=0
for target in fuzz_qr fuzz_certdoc; do
	clang "${flags[@]}" tests/fuzz/$target.c certs/*.c "${libs[@]}" -o "$out/$target"
	corpus="$out/$target.corpus"
	mkdir -p "$corpus"
	cp tests/fuzz/seeds/"${target#fuzz_}"-* "$corpus/" 2>/dev/null || true
	echo "== $target: ${seconds}s"
	if ! (cd "$out" && ./$target -max_total_time="$seconds" -max_len=8192 \
		-print_final_stats=0 "$target.corpus" >"$target.log" 2>&1); then
		echo "tests/fuzz: $target FAILED; see $out/$target.log" >&2
		tail -n 30 "$out/$target.log" >&2
		status=1
	fi
done
exit $status
