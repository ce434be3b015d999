// The one number formatter of every report (text tables, CSV, SVG, Markdown):
// fmt, locale-independent, with printf's digits. fixed(v, 2) writes what
// "%.2f" writes and general(v, 6) what "%.6g" (= "%g") writes: the same
// correctly rounded shortest-or-fixed text, so reports stay byte-identical.
#pragma once

#include <string>

namespace trainsim {

// v with `decimals` digits after the point ("%.*f"); `sign` adds '+' to
// non-negative values ("%+.*f").
std::string fixed(double v, int decimals, bool sign = false);

// v with `precision` significant digits, trailing zeros dropped, exponent
// form for very large or small values ("%.*g").
std::string general(double v, int precision = 6);

}  // namespace trainsim
