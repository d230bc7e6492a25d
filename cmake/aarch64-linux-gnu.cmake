# Cross-compiling for aarch64 Linux with Debian's GCC 12 cross compiler (apt-get install g++-aarch64-linux-gnu);
# the test programs run under qemu-user (apt-get install qemu-user), which CTest calls for every test.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # programs (gdb, python3) are the build machine's
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)    # Catch2 is a header-only package of the build machine
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# qemu finds the target's dynamic loader and libraries under -L.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu)
