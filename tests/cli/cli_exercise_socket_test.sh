#!/usr/bin/env bash
# Classic exercise 3: 4 x 8 A100 GPUs, data parallel, NCCL over InfiniBand vs
# over its socket transport (the NCCL_IB_DISABLE=1 fix). The step-time ratio is
# bounded by what the two links can carry, derived here from the cluster card
# and the model card, not from trainsim's output:
#   B_ib   = node.nics.count x node.nics.bandwidth                    (GPUDirect RDMA)
#   B_sock = min(0.5 x node.ethernet.count x node.ethernet.bandwidth, (docs/reference/hardware.md §4c.6)
#                2 channels per NIC x NICs x threads x sockets x node.ethernet.stream_bandwidth)
#   k      = B_ib / B_sock
# The scenarios run the all-reduce after the backward (no overlap), so a step
# is compute + all-reduce and the same bytes cross 1/k of the bandwidth:
#   1 < T_sock / T_ib <= k, and T_sock - T_ib >= G (1/B_sock - 1/B_ib)
# with G >= 2 (n-1)/n x 12 L h^2 x 2 bytes (the ring all-reduce's bytes of at
# least the transformer blocks' weights in at least 16-bit gradients).
# Also: every spelling of the fix gives the same step, and a card without
# Ethernet ports is refused with exit 2.
# Usage: cli_exercise_socket_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ex="$root/scenarios/exercises"

"$bin" run "$ex/socket-vs-ib-4x8-ib.yaml" --json > "$tmp/ib.json" 2> "$tmp/ib.err" && ok "IB scenario runs" \
  || bad "IB scenario runs: $(tail -1 "$tmp/ib.err")"
"$bin" run "$ex/socket-vs-ib-4x8-socket.yaml" --json > "$tmp/sock.json" 2> "$tmp/sock.err" && ok "socket scenario runs" \
  || bad "socket scenario runs: $(tail -1 "$tmp/sock.err")"

bounds="$(python3 - "$root" "$tmp/ib.json" "$tmp/sock.json" << 'PY'
import json, re, sys, yaml
root, ib_path, sock_path = sys.argv[1:4]
def gbps(text):  # "200Gbps" -> GB/s
    v = float(re.match(r"([0-9.]+)Gbps", text).group(1))
    return v / 8
card = yaml.safe_load(open(f"{root}/topologies/dgx-a100-80gb.yaml"))["node"]
scen = yaml.safe_load(open(f"{root}/scenarios/exercises/socket-vs-ib-4x8-socket.yaml"))
env = scen["network"]["nccl_env"]
model = yaml.safe_load(open(f"{root}/models/megatron-gpt-3.6b.yaml"))
b_ib = card["nics"]["count"] * gbps(card["nics"]["bandwidth"])
streams = 2 * card["nics"]["count"] * env.get("NCCL_SOCKET_NTHREADS", 1) * env.get("NCCL_NSOCKS_PERTHREAD", 1)
b_sock = min(0.5 * card["ethernet"]["count"] * gbps(card["ethernet"]["bandwidth"]), streams * 20 / 8)
k = b_ib / b_sock
n = 32
grad_bytes = 2 * (n - 1) / n * 12 * model["layers"] * model["hidden"] ** 2 * 2
t_ib = json.load(open(ib_path))["step_time_s"]
t_sock = json.load(open(sock_path))["step_time_s"]
ratio = t_sock / t_ib
floor = grad_bytes / 1e9 * (1 / b_sock - 1 / b_ib)
print(f"k={k:.3f} ratio={ratio:.3f} t_ib={t_ib:.4f} t_sock={t_sock:.4f} diff_floor={floor:.4f}")
print("ok" if 1 < ratio <= k + 1e-9 else "ratio")
print("ok" if t_sock - t_ib >= floor else "floor")
PY
)"
echo "$bounds" | head -1
[ "$(echo "$bounds" | sed -n 2p)" = ok ] && ok "1 < T_sock/T_ib <= B_ib/B_sock" || bad "1 < T_sock/T_ib <= B_ib/B_sock"
[ "$(echo "$bounds" | sed -n 3p)" = ok ] && ok "T_sock - T_ib >= gradient bytes x (1/B_sock - 1/B_ib)" \
  || bad "T_sock - T_ib >= gradient bytes x (1/B_sock - 1/B_ib)"

# The same fix spelled three ways gives the same step.
step() { python3 -c 'import json,sys; print(json.load(sys.stdin)["step_time_s"])'; }
want="$(step < "$tmp/sock.json")"
got1="$("$bin" run "$ex/socket-vs-ib-4x8-ib.yaml" --json --env NCCL_IB_DISABLE=1 --env NCCL_SOCKET_NTHREADS=4 2> /dev/null | step)"
got2="$("$bin" run "$ex/socket-vs-ib-4x8-ib.yaml" --json --set network.transport=socket \
  --set network.nccl_env.NCCL_SOCKET_NTHREADS=4 2> /dev/null | step)"
[ "$got1" = "$want" ] && ok "--env NCCL_IB_DISABLE=1 == nccl_env in the YAML" || bad "--env: $got1 vs $want"
[ "$got2" = "$want" ] && ok "network.transport=socket == NCCL_IB_DISABLE=1" || bad "transport=socket: $got2 vs $want"

# The socket run lists the Ethernet figures it assumed; the IB run does not.
python3 - "$tmp/ib.json" "$tmp/sock.json" << 'PY' && ok "assumptions follow the transport" || bad "assumptions follow the transport"
import json, sys
keys = [[a["key"] for a in json.load(open(p))["assumptions"]["card"]] for p in sys.argv[1:3]]
sys.exit(0 if "node.ethernet.latency" in keys[1] and "node.ethernet.latency" not in keys[0]
         and "node.nics.latency" in keys[0] else 1)
PY

# A card that names no Ethernet ports: exit 2, naming what to add.
"$bin" run "$ex/socket-vs-ib-4x8-ib.yaml" --set cluster=aws-p4d-a100-40gb --env NCCL_IB_DISABLE=1 > /dev/null 2> "$tmp/p4d.err"
rc=$?
[ $rc -eq 2 ] && grep -q "node.ethernet.count and node.ethernet.bandwidth" "$tmp/p4d.err" \
  && ok "no Ethernet ports: exit 2 naming node.ethernet" || bad "no Ethernet ports: rc $rc $(tail -1 "$tmp/p4d.err")"
"$bin" run "$ex/socket-vs-ib-4x8-ib.yaml" --env NCCL_DEBUG=INFO > /dev/null 2> "$tmp/env.err"
rc=$?
[ $rc -eq 2 ] && grep -q "NCCL_IB_DISABLE, NCCL_NET" "$tmp/env.err" && ok "--env NAME not modelled: exit 2 listing the valid" \
  || bad "--env NCCL_DEBUG: rc $rc $(tail -1 "$tmp/env.err")"
finish 8
