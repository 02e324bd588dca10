# All product libraries come from Debian 12 packages (see infra/scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(simdjson REQUIRED)
# simdjson's target sets SIMDJSON_THREADS_ENABLED, which changes dom::parser's layout: every
# translation unit must agree, also those of targets that include <simdjson.h> without linking it
# (an ODR mismatch crashed a parser in the test binary).
add_compile_definitions(SIMDJSON_THREADS_ENABLED=1)
find_package(date REQUIRED)  # Howard Hinnant's date/tz, reading the OS time-zone database (tzdata)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# RFC 5545 recurrence rules (habits): libical, pure parsing, no I/O.
pkg_check_modules(ICAL REQUIRED IMPORTED_TARGET libical)
# Graphviz's C API (libgvc + cgraph): the goals graph as SVG.
pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc)
