// The one units parser: every dimension, decimal and binary prefixes, bits,
// and the errors for bare numbers and unknown units.
#include <doctest/doctest.h>

#include "sim/core/error.hpp"
#include "sim/config/units.hpp"

using trainsim::Dimension;
using trainsim::parse_quantity;

TEST_CASE("bytes: decimal and binary prefixes") {
  CHECK(parse_quantity("80GiB", Dimension::bytes) == doctest::Approx(80.0 * 1024 * 1024 * 1024));
  CHECK(parse_quantity("80GB", Dimension::bytes) == doctest::Approx(80e9));
  CHECK(parse_quantity("1.92TB", Dimension::bytes) == doctest::Approx(1.92e12));
  CHECK(parse_quantity("512MiB", Dimension::bytes) == doctest::Approx(512.0 * 1024 * 1024));
  CHECK(parse_quantity("4KiB", Dimension::bytes) == 4096.0);
  CHECK(parse_quantity("4kB", Dimension::bytes) == 4000.0);
  CHECK(parse_quantity("1024B", Dimension::bytes) == 1024.0);
  CHECK(parse_quantity(" 2 GiB ", Dimension::bytes) == doctest::Approx(2.0 * 1024 * 1024 * 1024));
}

TEST_CASE("bandwidth: bytes and bits per second") {
  CHECK(parse_quantity("450GB/s", Dimension::bandwidth) == doctest::Approx(450e9));
  CHECK(parse_quantity("400Gbps", Dimension::bandwidth) == doctest::Approx(50e9));
  CHECK(parse_quantity("200Gb/s", Dimension::bandwidth) == doctest::Approx(25e9));
  CHECK(parse_quantity("25GiB/s", Dimension::bandwidth) == doctest::Approx(25.0 * 1024 * 1024 * 1024));
  CHECK(parse_quantity("32GBps", Dimension::bandwidth) == doctest::Approx(32e9));
  CHECK(parse_quantity("100Gbit/s", Dimension::bandwidth) == doctest::Approx(12.5e9));
}

TEST_CASE("time, FLOP rate, counts and fractions") {
  CHECK(parse_quantity("1.5us", Dimension::time) == doctest::Approx(1.5e-6));
  CHECK(parse_quantity("1.5\xC2\xB5s", Dimension::time) == doctest::Approx(1.5e-6));
  CHECK(parse_quantity("2ms", Dimension::time) == doctest::Approx(2e-3));
  CHECK(parse_quantity("300ns", Dimension::time) == doctest::Approx(3e-7));
  CHECK(parse_quantity("1s", Dimension::time) == 1.0);
  CHECK(parse_quantity("989TFLOPS", Dimension::flop_rate) == doctest::Approx(989e12));
  CHECK(parse_quantity("312TFLOP/s", Dimension::flop_rate) == doctest::Approx(312e12));
  CHECK(parse_quantity("7.5B", Dimension::count) == doctest::Approx(7.5e9));
  CHECK(parse_quantity("175M", Dimension::count) == doctest::Approx(175e6));
  CHECK(parse_quantity("1T", Dimension::count) == doctest::Approx(1e12));
  CHECK(parse_quantity("5e8", Dimension::count) == doctest::Approx(5e8));
  CHECK(parse_quantity("1024", Dimension::count) == 1024.0);
  CHECK(parse_quantity("85%", Dimension::fraction) == doctest::Approx(0.85));
  CHECK(parse_quantity("0.1", Dimension::fraction) == doctest::Approx(0.1));
}

TEST_CASE("a bare number where a unit is required is an error") {
  for (Dimension d : {Dimension::bytes, Dimension::bandwidth, Dimension::time, Dimension::flop_rate}) {
    CHECK_THROWS_AS(parse_quantity("80", d), trainsim::UnitError);
  }
  try {
    parse_quantity("80", Dimension::bytes);
  } catch (const trainsim::UnitError& e) {
    std::string msg = e.what();
    CHECK(msg.find("unit is required") != std::string::npos);
    CHECK(msg.find("80GiB") != std::string::npos);  // says what would be valid
  }
}

TEST_CASE("unknown units, wrong dimensions and garbage are errors") {
  CHECK_THROWS_AS(parse_quantity("80GX", Dimension::bytes), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("80G", Dimension::bytes), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("450GB/s", Dimension::bytes), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("80GiB", Dimension::bandwidth), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("fast", Dimension::bandwidth), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("", Dimension::time), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("7.5Q", Dimension::count), trainsim::UnitError);
  CHECK_THROWS_AS(parse_quantity("1e400GB", Dimension::bytes), trainsim::UnitError);
}

TEST_CASE("formatting round-trips through the parser") {
  using trainsim::format_quantity;
  CHECK(format_quantity(80.0 * 1024 * 1024 * 1024, Dimension::bytes) == "80 GiB");
  CHECK(format_quantity(450e9, Dimension::bandwidth) == "450 GB/s");
  CHECK(format_quantity(1.5e-6, Dimension::time) == "1.5 us");
  CHECK(format_quantity(989e12, Dimension::flop_rate) == "989 TFLOP/s");
  for (double v : {1e3, 2.5e9, 7e12}) {
    std::string text = format_quantity(v, Dimension::bandwidth);
    text.erase(text.find(' '), 1);
    CHECK(parse_quantity(text, Dimension::bandwidth) == doctest::Approx(v));
  }
}

TEST_CASE("format_quantity_yaml writes the shortest text that parses back exactly") {
  CHECK(format_quantity_yaml(70e-6, Dimension::time) == "70us");
  CHECK(format_quantity_yaml(1024.0 * 1024 * 1024, Dimension::bytes) == "1GiB");
  CHECK(format_quantity_yaml(5e8, Dimension::count) == "5e8");
  CHECK(format_quantity_yaml(1e5, Dimension::count) == "1e5");
  CHECK(format_quantity_yaml(0, Dimension::count) == "0");
  CHECK(format_quantity_yaml(0.1, Dimension::fraction) == "0.1");
  // Values format_quantity would round still read back exactly.
  for (double v : {1.0 / 3, 123456789.0, 2.5e-7, 7.25e11}) {
    for (Dimension d : {Dimension::bytes, Dimension::bandwidth, Dimension::time, Dimension::flop_rate, Dimension::count,
                        Dimension::fraction}) {
      CAPTURE(v);
      CHECK(parse_quantity(format_quantity_yaml(v, d), d) == v);
    }
  }
}
