# Dependencies of the wasm build: zlib and protobuf-lite compiled for wasm by
# scripts/wasm-deps.sh (from Debian's source packages), and the host's protoc,
# which matches that protobuf (3.21.12). The targets carry the names
# find_package gives them natively, so the engine's CMake files serve both.
set(STRATA_WASM_DEPS "${CMAKE_SOURCE_DIR}/build/wasm-deps" CACHE PATH
    "Prefix holding zlib and protobuf-lite built for wasm")
if(NOT EXISTS "${STRATA_WASM_DEPS}/lib/libprotobuf-lite.a")
  message(FATAL_ERROR "No wasm zlib/protobuf in ${STRATA_WASM_DEPS}: run scripts/wasm-deps.sh")
endif()

add_library(ZLIB::ZLIB STATIC IMPORTED)
set_target_properties(ZLIB::ZLIB PROPERTIES
  IMPORTED_LOCATION "${STRATA_WASM_DEPS}/lib/libz.a"
  INTERFACE_INCLUDE_DIRECTORIES "${STRATA_WASM_DEPS}/include")

add_library(protobuf::libprotobuf-lite STATIC IMPORTED)
set_target_properties(protobuf::libprotobuf-lite PROPERTIES
  IMPORTED_LOCATION "${STRATA_WASM_DEPS}/lib/libprotobuf-lite.a"
  INTERFACE_INCLUDE_DIRECTORIES "${STRATA_WASM_DEPS}/include")

find_program(STRATA_PROTOC protoc NO_CMAKE_FIND_ROOT_PATH REQUIRED)
add_executable(protobuf::protoc IMPORTED)
set_target_properties(protobuf::protoc PROPERTIES IMPORTED_LOCATION "${STRATA_PROTOC}")

# No pthreads in the browser build (DESIGN.md decision 3: no
# SharedArrayBuffer, so no COOP/COEP headers): the engine runs with
# background_thread = false and its mutexes are uncontended.
add_library(Threads::Threads INTERFACE IMPORTED)
