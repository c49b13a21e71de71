#!/bin/sh
# Check for the tools kite builds and tests with; install the missing
# Debian packages when running as root, else print the exact command.
set -u

missing=""
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need clang clang
need ld.lld lld
need llvm-objcopy llvm
need qemu-system-x86_64 qemu-system-x86
need qemu-system-aarch64 qemu-system-arm
need python3 python3
need make make
need clang-format clang-format
need iasl acpica-tools
# The sanitizer and libFuzzer runtimes of the clang in use.
rt=$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if command -v clang >/dev/null 2>&1 && [ ! -f "$rt" ]; then
	ver=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
	missing="$missing libclang-rt-${ver:-14}-dev"
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "deps: apt-get install failed" >&2
		exit 1
	}
	exit 0
fi
echo "deps: missing packages. Run:" >&2
echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
exit 1
