# Shared by gpu-check.sh and npu-check.sh (sourced): options, the build, PASS/FAIL counting.
#   check_args "$@"                     --stub, --build-dir DIR, --seconds S  ->  STUB, BUILD, SECS
#   check_build <name> <cmake targets> -- <function building by hand into $BUILD, for machines without cmake>
# After check_build: LIB (libvgpu.so), WORK (a scratch directory removed at exit), pass/fail, $fails.
HERE=$(cd "$(dirname "$0")/.." && pwd)
STUB=0 BUILD="" SECS=6

check_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --stub) STUB=1;;
      --build-dir) BUILD=$2; shift;;
      --seconds) SECS=$2; shift;;
      *) echo "usage: $0 [--stub] [--build-dir DIR] [--seconds S]" >&2; exit 64;;
    esac
    shift
  done
}

# the compiler flags of the CMake build, for building by hand
BY_HAND_FLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing -fPIC -fvisibility=hidden -I$HERE/include"
build_library_by_hand() {
  mkdir -p "$BUILD/lib" "$BUILD/bin" "$BUILD/stub"
  # shellcheck disable=SC2086
  gcc $BY_HAND_FLAGS -shared -o "$BUILD/lib/libvgpu.so" "$HERE"/src/*.c -ldl -lpthread -Wl,--no-undefined
}

check_build() {
  name=$1 targets=$2 by_hand=$4
  if [ -z "$BUILD" ]; then
    BUILD="$HERE/target/$name-build"
    if command -v cmake >/dev/null 2>&1; then
      # shellcheck disable=SC2086
      cmake -S "$HERE" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVGPU_SANITIZE=OFF >/dev/null &&
        cmake --build "$BUILD" -j "$(nproc)" --target vgpu $targets >/dev/null || { echo "FAIL: build"; exit 1; }
    else # no cmake on the device machine: the same flags by hand
      build_library_by_hand && $by_hand || { echo "FAIL: build"; exit 1; }
    fi
  fi
  LIB="$BUILD/lib/libvgpu.so"
  WORK=$(mktemp -d "/tmp/vgpu-$name.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
}

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
