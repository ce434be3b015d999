// Simulated time (docs/design.md §4): a signed integer count of picoseconds in a
// strong type, so the event order never depends on floating-point rounding.
//
// One type serves both instants (time since the start of the run) and spans
// (a delay, a duration, a difference of two instants); a span may be negative,
// an instant the engine accepts may not. Range: ±2^63 ps, about ±106 days.
//
// Every operation that would leave that range throws SimTimeError instead of
// wrapping, and so does converting a non-finite number of seconds.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/core/quantity.hpp"

namespace trainsim {

// A SimTime conversion or arithmetic result outside the int64 picosecond range,
// or a NaN/infinite number of seconds.
class SimTimeError : public std::range_error {
 public:
  using std::range_error::range_error;
};

class SimTime {
 public:
  using Rep = std::int64_t;  // picoseconds

  static constexpr Rep kPsPerNs = 1'000;
  static constexpr Rep kPsPerUs = 1'000'000;
  static constexpr Rep kPsPerMs = 1'000'000'000;
  static constexpr Rep kPsPerS = 1'000'000'000'000;

  constexpr SimTime() = default;  // zero

  // Exact constructors from integer counts; throw SimTimeError on overflow.
  static constexpr SimTime from_ps(Rep ps) { return SimTime(ps); }
  static constexpr SimTime from_ns(Rep ns) { return SimTime(mul(ns, kPsPerNs)); }
  static constexpr SimTime from_us(Rep us) { return SimTime(mul(us, kPsPerUs)); }
  static constexpr SimTime from_ms(Rep ms) { return SimTime(mul(ms, kPsPerMs)); }

  // Seconds rounded to the nearest picosecond (halfway cases away from zero).
  // Throws SimTimeError for NaN, ±infinity, or |seconds| ≥ 2^63 ps.
  static SimTime from_seconds(double seconds);
  static SimTime from_seconds(Seconds seconds) { return from_seconds(seconds.value()); }

  static constexpr SimTime zero() { return SimTime(0); }
  // The largest representable time; used as "never" / "no limit".
  static constexpr SimTime max() { return SimTime(std::numeric_limits<Rep>::max()); }

  // Exact value in picoseconds.
  constexpr Rep ps() const { return ps_; }
  // Converted values; exact while |ps()| < 2^53 (about 2.5 hours), rounded beyond.
  constexpr double ns() const { return static_cast<double>(ps_) / kPsPerNs; }
  constexpr double us() const { return static_cast<double>(ps_) / kPsPerUs; }
  constexpr double to_seconds() const { return static_cast<double>(ps_) / kPsPerS; }
  constexpr Seconds as_seconds() const { return Seconds(to_seconds()); }

  // Checked arithmetic: throws SimTimeError rather than wrap.
  constexpr SimTime operator+(SimTime o) const { return SimTime(add(ps_, o.ps_)); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(sub(ps_, o.ps_)); }
  constexpr SimTime operator-() const { return SimTime(sub(0, ps_)); }
  constexpr SimTime operator*(Rep k) const { return SimTime(mul(ps_, k)); }
  constexpr SimTime& operator+=(SimTime o) { return *this = *this + o; }
  constexpr SimTime& operator-=(SimTime o) { return *this = *this - o; }
  constexpr auto operator<=>(const SimTime&) const = default;

 private:
  constexpr explicit SimTime(Rep ps) : ps_(ps) {}

  static constexpr Rep add(Rep a, Rep b) {
    Rep r = 0;
    if (__builtin_add_overflow(a, b, &r)) throw SimTimeError("SimTime overflow in addition");
    return r;
  }
  static constexpr Rep sub(Rep a, Rep b) {
    Rep r = 0;
    if (__builtin_sub_overflow(a, b, &r)) throw SimTimeError("SimTime overflow in subtraction");
    return r;
  }
  static constexpr Rep mul(Rep a, Rep b) {
    Rep r = 0;
    if (__builtin_mul_overflow(a, b, &r)) throw SimTimeError("SimTime overflow in multiplication");
    return r;
  }

  Rep ps_ = 0;
};

constexpr SimTime operator*(SimTime::Rep k, SimTime t) { return t * k; }

inline SimTime SimTime::from_seconds(double seconds) {
  if (!std::isfinite(seconds)) {
    throw SimTimeError("SimTime::from_seconds: " + std::to_string(seconds) + " s is not a finite number of seconds");
  }
  const double ps = std::round(seconds * static_cast<double>(kPsPerS));
  // 2^63 is exact in a double; every double in [-2^63, 2^63) fits an int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(ps >= -kLimit && ps < kLimit)) {
    throw SimTimeError("SimTime::from_seconds: " + std::to_string(seconds) +
                       " s is outside the representable range of about ±1.06e7 s (2^63 ps)");
  }
  return SimTime(static_cast<Rep>(ps));
}

// Human-readable form for messages and logs, e.g. "1.5 us", "0 s", "-250 ps":
// the value in the largest of s, ms, us, ns, ps that keeps its magnitude ≥ 1,
// with up to 12 significant digits.
std::string to_string(SimTime t);

}  // namespace trainsim
