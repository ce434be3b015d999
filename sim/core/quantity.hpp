// Strong types for physical quantities. Every value is stored in SI base units
// (bytes, seconds, bytes per second, FLOP, FLOP per second) as a double, so a
// quantity never silently mixes units: Bytes + Seconds does not compile.
#pragma once

#include <compare>

namespace trainsim {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double si) : v_(si) {}

  // The value in SI base units (bytes, s, B/s, FLOP, FLOP/s).
  constexpr double value() const { return v_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity& operator+=(Quantity o) {
    v_ += o.v_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    v_ -= o.v_;
    return *this;
  }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double v_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double k, Quantity<Tag> q) {
  return q * k;
}

struct BytesTag {};
struct SecondsTag {};
struct BandwidthTag {};
struct FlopsTag {};
struct FlopRateTag {};

using Bytes = Quantity<BytesTag>;          // bytes
using Seconds = Quantity<SecondsTag>;      // seconds
using Bandwidth = Quantity<BandwidthTag>;  // bytes per second
using Flops = Quantity<FlopsTag>;          // floating-point operations
using FlopRate = Quantity<FlopRateTag>;    // FLOP per second

inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
inline constexpr double kGB = 1e9;

}  // namespace trainsim
