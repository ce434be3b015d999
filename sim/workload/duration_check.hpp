// Engine time of an instruction, checked against the simulated clock's range
// (docs/limits.md "A step longer than the clock"). SimTime holds about 106
// days; an input that makes one piece of work (or the step) longer than that
// is bad input, so the conversion names the work and the key that most likely
// made it so long instead of failing as an internal error.
#pragma once

#include <string>

#include "sim/core/quantity.hpp"
#include "sim/core/sim_time.hpp"
#include "sim/workload/program.hpp"

namespace trainsim {

// The longest work the simulated clock can time, in seconds (SimTime::max()).
double clock_range_seconds();

// `already` + `seconds` (negative read as 0) of instruction `i`, whose span
// label is `label`, as engine time. Throws DurationOutOfRange (sim_error.hpp)
// naming the work ("the NVMe read 'optimizer swap'"), its length and the key
// to check when the sum leaves the clock's range or `seconds` is not a number.
SimTime checked_work_time(const Instr& i, Seconds seconds, const std::string& label, SimTime already = SimTime::zero());

// The step would outlast the clock although each piece fits: throws
// DurationOutOfRange naming the longest piece of work of `programs`.
[[noreturn]] void throw_step_out_of_range(const std::vector<StageProgram>& programs);

// Sum of the durations of every instruction of `programs`, in seconds: an
// upper bound of the step time (a step is never longer than all its work
// done one piece after another).
double total_work_seconds(const std::vector<StageProgram>& programs);

}  // namespace trainsim
