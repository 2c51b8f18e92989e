#!/usr/bin/env bash
# Regenerate the committed Swift code for the southbound gRPC contract.
#
# What it does: compiles every Protos/**/*.proto with protoc, using the swift-protobuf plugin (messages,
# `*.pb.swift`) and the grpc-swift-protobuf plugin (service, `*.grpc.swift`), both with public visibility, and
# writes the result flat into Sources/SouthboundContract/Generated/ (old generated files there are removed first).
#
# What it needs:
#   - protoc (Debian's `protobuf-compiler`, 3.21 is fine); installed with apt-get when missing and run as root.
#   - A Swift toolchain. The plugins `protoc-gen-swift` and `protoc-gen-grpc-swift-2` are built from this
#     package's own dependencies (swift-protobuf, grpc-swift-protobuf), in the scratch folder .build-protoc/
#     so they match the runtime library versions and do not disturb .build/. If the package does not (yet)
#     provide them, they are built from clones of swift-protobuf $SWIFT_PROTOBUF_VERSION and
#     grpc-swift-protobuf $GRPC_SWIFT_PROTOBUF_VERSION under .build-protoc/. To use plugins you already have,
#     set PROTOC_GEN_SWIFT and PROTOC_GEN_GRPC_SWIFT_2 to their paths.
#
# Run it by hand after editing a .proto file (CI does not run it), then commit the generated files together
# with the .proto change: the build uses the committed output and never runs protoc.
set -euo pipefail
cd "$(dirname "$0")/.."

PROTO_DIR=Protos
OUT_DIR=Sources/SouthboundContract/Generated
SCRATCH=.build-protoc
SWIFT_PROTOBUF_VERSION=${SWIFT_PROTOBUF_VERSION:-1.39.0}
GRPC_SWIFT_PROTOBUF_VERSION=${GRPC_SWIFT_PROTOBUF_VERSION:-2.4.1}

# 1. protoc
if ! command -v protoc >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "protoc not found: installing protobuf-compiler" >&2
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler
    else
        echo "protoc not found: install it (e.g. 'sudo apt-get install -y protobuf-compiler')" >&2
        exit 1
    fi
fi
echo "using $(protoc --version)" >&2

# 2. plugins
# Builds one plugin product in the given package folder and prints the path of the executable.
build_plugin() {
    local package_dir=$1 product=$2 scratch=$3
    swift build --package-path "$package_dir" --scratch-path "$scratch" --product "$product" >&2 || return 1
    echo "$(swift build --package-path "$package_dir" --scratch-path "$scratch" --show-bin-path)/$product"
}

# Clones repo at tag into .build-protoc/standalone/<name> (once) and builds product there.
build_plugin_standalone() {
    local url=$1 tag=$2 name=$3 product=$4
    local dir=$SCRATCH/standalone/$name-$tag
    if [ ! -d "$dir" ]; then
        mkdir -p "$SCRATCH/standalone"
        git clone --quiet --depth 1 --branch "$tag" "$url" "$dir" >&2
    fi
    build_plugin "$dir" "$product" "$dir/.build"
}

if [ -z "${PROTOC_GEN_SWIFT:-}" ]; then
    if ! PROTOC_GEN_SWIFT=$(build_plugin . protoc-gen-swift "$SCRATCH"); then
        echo "this package does not provide protoc-gen-swift; building swift-protobuf $SWIFT_PROTOBUF_VERSION" >&2
        PROTOC_GEN_SWIFT=$(build_plugin_standalone https://github.com/apple/swift-protobuf.git \
            "$SWIFT_PROTOBUF_VERSION" swift-protobuf protoc-gen-swift)
    fi
fi
if [ -z "${PROTOC_GEN_GRPC_SWIFT_2:-}" ]; then
    if ! PROTOC_GEN_GRPC_SWIFT_2=$(build_plugin . protoc-gen-grpc-swift-2 "$SCRATCH"); then
        echo "this package does not provide protoc-gen-grpc-swift-2; building grpc-swift-protobuf $GRPC_SWIFT_PROTOBUF_VERSION" >&2
        PROTOC_GEN_GRPC_SWIFT_2=$(build_plugin_standalone https://github.com/grpc/grpc-swift-protobuf.git \
            "$GRPC_SWIFT_PROTOBUF_VERSION" grpc-swift-protobuf protoc-gen-grpc-swift-2)
    fi
fi

# 3. generate
mapfile -t PROTOS < <(cd "$PROTO_DIR" && find . -name '*.proto' -printf '%P\n' | sort)
if [ "${#PROTOS[@]}" -eq 0 ]; then
    echo "no .proto files under $PROTO_DIR" >&2
    exit 1
fi
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.pb.swift "$OUT_DIR"/*.grpc.swift

# FileNaming=DropPath writes maintmgr/v1/maintmgr.proto as $OUT_DIR/maintmgr.{pb,grpc}.swift (proto file base
# names must therefore be unique across Protos/).
protoc --proto_path="$PROTO_DIR" \
    --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
    --swift_out="$OUT_DIR" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=DropPath \
    --plugin=protoc-gen-grpc-swift-2="$PROTOC_GEN_GRPC_SWIFT_2" \
    --grpc-swift-2_out="$OUT_DIR" \
    --grpc-swift-2_opt=Visibility=Public \
    --grpc-swift-2_opt=FileNaming=DropPath \
    "${PROTOS[@]}"

echo "generated:" >&2
ls -1 "$OUT_DIR" >&2
