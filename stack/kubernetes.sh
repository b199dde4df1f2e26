#!/usr/bin/env bash
# Kubernetes control plane built from the Go module proxy: one etcd and two clusters, "a" and "b",
# each with its own kube-apiserver (own etcd prefix), kube-controller-manager, kube-scheduler and
# kwok, which plays the kubelet for a fake node so Pods get scheduled and become Ready (Job pods
# complete) without any container runtime. One kubeconfig, $STATE_DIR/kubeconfig, with contexts
# local-a and local-b. Usage: stack/kubernetes.sh up|down|status|build
. "$(dirname "$0")/lib.sh"

CLUSTERS=(a b)
WRAPPERS="$STACK_DIR/kubernetes"
ETCD_BIN="$CACHE_DIR/etcd-$ETCD_VERSION/bin"
KUBE_BIN="$CACHE_DIR/kubernetes-$KUBERNETES_VERSION/bin"
KWOK_HOME="$CACHE_DIR/kwok-$KWOK_VERSION"
KWOK_BIN="$KWOK_HOME/bin"
K8S_STATE="$STATE_DIR/kubernetes"
PKI="$K8S_STATE/pki"
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"
SERVICE_CIDR=10.0.0.0/24
# Capacity of each cluster's fake node (kwok keeps what the Node object declares). Pods: room for
# the workloads benchmark (100 deployments x 2 replicas) beside the tests' own.
NODE_CPU=32 NODE_MEMORY=256Gi NODE_GPUS=8 NODE_PODS=1000

# ---------------------------------------------------------------------------------------------
# Build: Go wrapper modules under stack/kubernetes/, binaries cached per version.

# go_build LABEL MODULE_DIR OUT PACKAGE [GO BUILD FLAGS...]: one binary, with a progress line every
# 30 s (elapsed time, memory of the compilers and linker, memory left on the machine).
go_build() {
  local label="$1" dir="$2" out="$3" pkg="$4"; shift 4
  local log="$LOG_DIR/build-$label.log" start=$SECONDS next=30
  say "  building $label ($pkg)"
  GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go -C "$dir" build -p 2 -trimpath "$@" -o "$out" "$pkg" >"$log" 2>&1 &
  local gpid=$!
  while kill -0 $gpid 2>/dev/null; do
    sleep 1
    if (( SECONDS - start >= next )) && kill -0 $gpid 2>/dev/null; then
      local rss avail
      rss="$(ps -o rss= --ppid $gpid 2>/dev/null | awk '{s+=$1} END {printf "%d", s/1024}')"
      avail="$(awk '/MemAvailable/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
      say "  building $label: $((SECONDS - start))s elapsed, compiler/linker rss ${rss}MiB, ${avail}GiB available, $(grep -c '^go: downloading' "$log") modules downloaded"
      next=$((next + 30))
    fi
  done
  wait $gpid || { log_tail "build-$label" "$log"; fail "go build of $label failed (log above: $log)"; }
  say "  built $label in $((SECONDS - start))s ($(du -m "$out" | cut -f1) MiB)"
}

# The wrapper go.mod files pin the versions; stack.env must name the same ones.
check_pin() {
  local dir="$1" mod="$2" want="$3" got
  got="$(GOFLAGS=-mod=mod go -C "$dir" list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$mod")" \
    || fail "cannot resolve $mod in $dir"
  [[ "$got" == "$want" ]] || fail "$dir/go.mod pins $mod $got but stack/stack.env asks for $want: update the wrapper (go -C $dir get $mod@$want && go -C $dir mod tidy)"
}

build_etcd() {
  [[ -f "$ETCD_BIN/.complete" ]] && return 0
  local dir="$WRAPPERS/etcd" start=$SECONDS
  say "etcd $ETCD_VERSION: building from the Go module proxy into $ETCD_BIN (first run only)"
  check_pin "$dir" go.etcd.io/etcd/server/v3 "v$ETCD_VERSION"
  rm -rf "$ETCD_BIN"; mkdir -p "$ETCD_BIN"
  go_build etcd "$dir" "$ETCD_BIN/etcd" . -ldflags "-s -w"
  touch "$ETCD_BIN/.complete"
  say "etcd $ETCD_VERSION built in $((SECONDS - start))s"
}

build_kubernetes() {
  [[ -f "$KUBE_BIN/.complete" ]] && return 0
  local dir="$WRAPPERS/kubernetes" start=$SECONDS v="$KUBERNETES_VERSION"
  say "kubernetes $v: building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl into $KUBE_BIN (first run only; about 4 min on 2 cores)"
  check_pin "$dir" k8s.io/kubernetes "v$v"
  check_pin "$dir" k8s.io/api "v0.${v#*.}"
  rm -rf "$KUBE_BIN"; mkdir -p "$KUBE_BIN"
  # What the upstream build stamps (hack/lib/version.sh), so /version and --version tell the truth.
  local ldflags="-s -w" key val
  for key in gitVersion gitMajor gitMinor gitTreeState buildDate; do
    case $key in
      gitVersion) val="v$v" ;; gitMajor) val="${v%%.*}" ;; gitMinor) val="$(cut -d. -f2 <<<"$v")" ;;
      gitTreeState) val=clean ;; buildDate) val="$(date -u +%Y-%m-%dT%H:%M:%SZ)" ;;
    esac
    ldflags+=" -X k8s.io/component-base/version.$key=$val -X k8s.io/client-go/pkg/version.$key=$val"
  done
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    go_build "$b" "$dir" "$KUBE_BIN/$b" "k8s.io/kubernetes/cmd/$b" -ldflags "$ldflags"
  done
  touch "$KUBE_BIN/.complete"
  say "kubernetes $v built in $((SECONDS - start))s"
}

build_kwok() {
  [[ -f "$KWOK_BIN/.complete" ]] && return 0
  local dir="$WRAPPERS/kwok" start=$SECONDS
  say "kwok $KWOK_VERSION: building into $KWOK_BIN (first run only)"
  check_pin "$dir" sigs.k8s.io/kwok "v$KWOK_VERSION"
  rm -rf "$KWOK_BIN"; mkdir -p "$KWOK_BIN"
  go_build kwok "$dir" "$KWOK_BIN/kwok" sigs.k8s.io/kwok/cmd/kwok -ldflags "-s -w"
  # The kwok binary has no built-in stages (kwokctl normally writes them): keep kwok's own default
  # ones from the module: node-initialize, node-heartbeat (status heartbeat every 20-25 s; kwok runs
  # without node leases, see start_kwok), pod-ready, pod-complete (Running pods owned by a Job
  # succeed, so Jobs complete) and pod-delete (deleted pods go away without a kubelet).
  local src; src="$(GOFLAGS=-mod=mod go -C "$dir" list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
  local f
  for f in node/fast/node-initialize node/heartbeat/node-heartbeat \
           pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    [[ -f "$src/$f.yaml" ]] || fail "kwok $KWOK_VERSION has no stage $f.yaml under $src"
    echo '---'; cat "$src/$f.yaml"
  done >"$KWOK_HOME/stages.yaml"
  touch "$KWOK_BIN/.complete"
  say "kwok $KWOK_VERSION built in $((SECONDS - start))s"
}

build() {
  command -v go >/dev/null || fail "go is not installed (the control plane is built from the Go module proxy)"
  build_etcd
  build_kubernetes
  build_kwok
}

# ---------------------------------------------------------------------------------------------
# Certificates, tokens, kubeconfigs.

# port_of COMPONENT CLUSTER: e.g. port_of KUBE_APISERVER a -> $KUBE_APISERVER_A_PORT
port_of() { local v="${1}_${2^^}_PORT"; echo "${!v}"; }

kubeconfig_for() { # FILE CLUSTER...: token-auth kubeconfig with one context per cluster
  local file="$1"; shift
  local ca; ca="$(base64 -w0 <"$PKI/ca.crt")"
  local c
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    for c in "$@"; do
      printf '  - name: local-%s\n    cluster:\n      server: https://127.0.0.1:%s\n      certificate-authority-data: %s\n' \
        "$c" "$(port_of KUBE_APISERVER "$c")" "$ca"
    done
    echo "users:"
    for c in "$@"; do printf '  - name: local-%s-admin\n    user:\n      token: %s\n' "$c" "$KUBERNETES_TOKEN"; done
    echo "contexts:"
    for c in "$@"; do printf '  - name: local-%s\n    context:\n      cluster: local-%s\n      user: local-%s-admin\n' "$c" "$c" "$c"; done
    echo "current-context: local-$1"
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

pki() {
  mkdir -p "$PKI"
  if [[ ! -f "$PKI/ca.crt" ]]; then
    say "kubernetes: generating a CA, serving certificate and service-account keys in $PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 \
      -subj "/CN=sentinel-local-kubernetes-ca" >/dev/null 2>&1 || fail "openssl: CA generation failed"
    rm -f "$PKI/apiserver.crt"
  fi
  if [[ ! -f "$PKI/apiserver.crt" ]]; then
    # One serving certificate for both API servers: both listen on 127.0.0.1 and use the same
    # service range, so the same names apply.
    openssl req -newkey rsa:2048 -nodes -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" \
      -subj "/CN=kube-apiserver" >/dev/null 2>&1 || fail "openssl: apiserver key generation failed"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      "extendedKeyUsage=serverAuth" "keyUsage=digitalSignature,keyEncipherment" >"$PKI/apiserver.ext"
    openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
      -out "$PKI/apiserver.crt" -days 3650 -extfile "$PKI/apiserver.ext" >/dev/null 2>&1 \
      || fail "openssl: signing the apiserver certificate failed"
  fi
  if [[ ! -f "$PKI/front-proxy-client.crt" ]]; then
    # The request-header (front proxy) CA: without it the controller manager and scheduler log
    # "missing content for CA bundle ... requestheader-client-ca-file" over and over.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" -days 3650 \
      -subj "/CN=sentinel-local-front-proxy-ca" >/dev/null 2>&1 || fail "openssl: front-proxy CA generation failed"
    openssl req -newkey rsa:2048 -nodes -keyout "$PKI/front-proxy-client.key" -out "$PKI/front-proxy-client.csr" \
      -subj "/CN=front-proxy-client" >/dev/null 2>&1 || fail "openssl: front-proxy client key generation failed"
    printf '%s\n' "extendedKeyUsage=clientAuth" "keyUsage=digitalSignature,keyEncipherment" >"$PKI/front-proxy-client.ext"
    openssl x509 -req -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" -CAkey "$PKI/front-proxy-ca.key" \
      -CAcreateserial -out "$PKI/front-proxy-client.crt" -days 3650 -extfile "$PKI/front-proxy-client.ext" >/dev/null 2>&1 \
      || fail "openssl: signing the front-proxy client certificate failed"
  fi
  local c
  for c in "${CLUSTERS[@]}"; do
    # Each cluster signs its service-account tokens with its own key.
    [[ -f "$PKI/sa-$c.key" ]] || openssl genrsa -out "$PKI/sa-$c.key" 2048 >/dev/null 2>&1 || fail "openssl: sa key failed"
    [[ -f "$PKI/sa-$c.pub" ]] || openssl rsa -in "$PKI/sa-$c.key" -pubout -out "$PKI/sa-$c.pub" >/dev/null 2>&1 || fail "openssl: sa pub failed"
  done
  printf '%s,admin,admin,"system:masters"\n' "$KUBERNETES_TOKEN" >"$K8S_STATE/tokens.csv"
  chmod 600 "$PKI"/*.key "$K8S_STATE/tokens.csv"
  for c in "${CLUSTERS[@]}"; do mkdir -p "$K8S_STATE/$c"; kubeconfig_for "$K8S_STATE/$c/kubeconfig" "$c"; done
  kubeconfig_for "$KUBECONFIG_FILE" "${CLUSTERS[@]}"
  chmod 600 "$KUBECONFIG_FILE" "$K8S_STATE"/*/kubeconfig
}

# ---------------------------------------------------------------------------------------------
# Health checks.

etcd_ready() { curl -fsS -m 3 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }
apiserver_ready() {
  [[ "$(curl -sS -m 5 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $KUBERNETES_TOKEN" \
    "https://127.0.0.1:$(port_of KUBE_APISERVER "$1")/readyz" 2>/dev/null)" == ok ]]
}
# The controller manager and scheduler serve /healthz to anyone on their own self-signed cert.
secure_healthz() { [[ "$(curl -sk -m 3 "https://127.0.0.1:$1/healthz" 2>/dev/null)" == ok ]]; }
kwok_healthz() { [[ "$(curl -s -m 3 "http://127.0.0.1:$1/healthz" 2>/dev/null)" == ok ]]; }
kubectl_c() { local c="$1"; shift; "$KUBE_BIN/kubectl" --kubeconfig "$K8S_STATE/$c/kubeconfig" "$@"; }
node_ready() {
  [[ "$(kubectl_c "$1" get node "kwok-$1-0" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# ---------------------------------------------------------------------------------------------
# Processes.

start_etcd() {
  local svc=etcd log="$LOG_DIR/etcd.log" pid
  if pid="$(live_pid $svc)"; then say "etcd already running (pid $pid)"; wait_ready $svc "$log" 60 etcd_ready; return 0; fi
  require_free_port etcd "$ETCD_PORT"
  require_free_port etcd-peer "$ETCD_PEER_PORT"
  mkdir -p "$DATA_DIR/etcd"; chmod 700 "$DATA_DIR/etcd"
  say "starting etcd $ETCD_VERSION on 127.0.0.1:$ETCD_PORT"
  start_detached $svc "$log" "$ETCD_BIN/etcd" --name sentinel --data-dir "$DATA_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "sentinel=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
    --unsafe-no-fsync=true --quota-backend-bytes=2147483648 --log-level=warn
  wait_ready $svc "$log" 60 etcd_ready
}

start_apiserver() {
  local c="$1" svc="kube-apiserver-$1" log="$LOG_DIR/kube-apiserver-$1.log" port pid
  port="$(port_of KUBE_APISERVER "$c")"
  if pid="$(live_pid "$svc")"; then say "$svc already running (pid $pid)"; return 0; fi
  require_free_port "$svc" "$port"
  # Cluster b serves watches straight from etcd (no watch cache), so both paths a client meets in
  # the field are exercised: e.g. an expired resourceVersion is refused by etcd (410) only there.
  local extra=()
  [[ "$c" == b ]] && extra=(--watch-cache=false)
  say "starting $svc $KUBERNETES_VERSION on https://127.0.0.1:$port (etcd prefix /registry-$c)"
  start_detached "$svc" "$log" "$KUBE_BIN/kube-apiserver" "${extra[@]}" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" --etcd-prefix="/registry-$c" \
    --bind-address=127.0.0.1 --secure-port="$port" --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none --cert-dir="$K8S_STATE/$c" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --token-auth-file="$K8S_STATE/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$PKI/sa-$c.pub" --service-account-signing-key-file="$PKI/sa-$c.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true --profiling=false
}

start_controller_manager() {
  local c="$1" svc="kube-controller-manager-$1" log="$LOG_DIR/kube-controller-manager-$1.log" port pid
  local kc="$K8S_STATE/$c/kubeconfig"
  port="$(port_of KUBE_CONTROLLER_MANAGER "$c")"
  if pid="$(live_pid "$svc")"; then say "$svc already running (pid $pid)"; return 0; fi
  require_free_port "$svc" "$port"
  say "starting $svc (healthz https://127.0.0.1:$port)"
  start_detached "$svc" "$log" "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$K8S_STATE/$c/kcm" \
    --use-service-account-credentials=false --service-account-private-key-file="$PKI/sa-$c.key" \
    --root-ca-file="$PKI/ca.crt" --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
}

start_scheduler() {
  local c="$1" svc="kube-scheduler-$1" log="$LOG_DIR/kube-scheduler-$1.log" port pid
  local kc="$K8S_STATE/$c/kubeconfig"
  port="$(port_of KUBE_SCHEDULER "$c")"
  if pid="$(live_pid "$svc")"; then say "$svc already running (pid $pid)"; return 0; fi
  require_free_port "$svc" "$port"
  say "starting $svc (healthz https://127.0.0.1:$port)"
  start_detached "$svc" "$log" "$KUBE_BIN/kube-scheduler" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$K8S_STATE/$c/scheduler" \
    --profiling=false
}

# No node leases: with leases kwok plays a node (and its pods) only once it holds the node's lease,
# and a restarted kwok has a new identity, so it would wait up to the lease duration (40 s) for
# its predecessor's lease to expire, leaving new Pods Pending meanwhile. The node-heartbeat stage
# keeps the node's Ready condition fresh for the node lifecycle controller instead.
start_kwok() {
  local c="$1" svc="kwok-$1" log="$LOG_DIR/kwok-$1.log" port pid
  port="$(port_of KWOK "$c")"
  if pid="$(live_pid "$svc")"; then say "$svc already running (pid $pid)"; return 0; fi
  require_free_port "$svc" "$port"
  say "starting $svc $KWOK_VERSION (healthz http://127.0.0.1:$port)"
  start_detached "$svc" "$log" "$KWOK_BIN/kwok" --config="$KWOK_HOME/stages.yaml" \
    --kubeconfig="$K8S_STATE/$c/kubeconfig" --manage-all-nodes=true \
    --server-address="127.0.0.1:$port" --node-ip=127.0.0.1 --node-lease-duration-seconds=0
}

# One fake node per cluster, with GPUs, that kwok keeps Ready; nothing taints it, so ordinary Pods
# land on it.
apply_node() {
  local c="$1"
  kubectl_c "$c" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: kwok-$c-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-$c-0
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
spec: {}
status:
  allocatable: {cpu: "$NODE_CPU", memory: $NODE_MEMORY, pods: "$NODE_PODS", nvidia.com/gpu: "$NODE_GPUS"}
  capacity: {cpu: "$NODE_CPU", memory: $NODE_MEMORY, pods: "$NODE_PODS", nvidia.com/gpu: "$NODE_GPUS"}
YAML
  # apply sets status only when it creates the node; a node kept in etcd from an earlier run
  # gets a changed capacity through the status subresource.
  local quantities="{\"cpu\":\"$NODE_CPU\",\"memory\":\"$NODE_MEMORY\",\"pods\":\"$NODE_PODS\",\"nvidia.com/gpu\":\"$NODE_GPUS\"}"
  kubectl_c "$c" patch node "kwok-$c-0" --subresource=status --type=merge \
    -p "{\"status\":{\"capacity\":$quantities,\"allocatable\":$quantities}}" >/dev/null
}

# Checks every port of a process not yet running before anything starts, so a taken port stops
# `up` before it leaves half a control plane behind.
preflight() {
  local c
  live_pid etcd >/dev/null || { require_free_port etcd "$ETCD_PORT"; require_free_port etcd-peer "$ETCD_PEER_PORT"; }
  for c in "${CLUSTERS[@]}"; do
    live_pid "kube-apiserver-$c" >/dev/null || require_free_port "kube-apiserver-$c" "$(port_of KUBE_APISERVER "$c")"
    live_pid "kube-controller-manager-$c" >/dev/null || require_free_port "kube-controller-manager-$c" "$(port_of KUBE_CONTROLLER_MANAGER "$c")"
    live_pid "kube-scheduler-$c" >/dev/null || require_free_port "kube-scheduler-$c" "$(port_of KUBE_SCHEDULER "$c")"
    live_pid "kwok-$c" >/dev/null || require_free_port "kwok-$c" "$(port_of KWOK "$c")"
  done
}

up() {
  local start=$SECONDS c
  preflight
  build
  pki
  start_etcd
  # Both API servers bootstrap at the same time; each cluster's components follow once it is ready.
  for c in "${CLUSTERS[@]}"; do start_apiserver "$c"; done
  for c in "${CLUSTERS[@]}"; do wait_ready "kube-apiserver-$c" "$LOG_DIR/kube-apiserver-$c.log" 180 apiserver_ready "$c"; done
  for c in "${CLUSTERS[@]}"; do start_controller_manager "$c"; start_scheduler "$c"; start_kwok "$c"; done
  for c in "${CLUSTERS[@]}"; do
    wait_ready "kube-controller-manager-$c" "$LOG_DIR/kube-controller-manager-$c.log" 120 secure_healthz "$(port_of KUBE_CONTROLLER_MANAGER "$c")"
    wait_ready "kube-scheduler-$c" "$LOG_DIR/kube-scheduler-$c.log" 120 secure_healthz "$(port_of KUBE_SCHEDULER "$c")"
    wait_ready "kwok-$c" "$LOG_DIR/kwok-$c.log" 120 kwok_healthz "$(port_of KWOK "$c")"
    apply_node "$c" || fail "could not create the fake node kwok-$c-0 in cluster $c"
    wait_ready "kwok-$c" "$LOG_DIR/kwok-$c.log" 60 node_ready "$c"
    say "cluster $c: node kwok-$c-0 Ready (cpu $NODE_CPU, memory $NODE_MEMORY, nvidia.com/gpu $NODE_GPUS)"
  done
  say "kubernetes up in $((SECONDS - start))s: kubeconfig $KUBECONFIG_FILE (contexts $(printf 'local-%s ' "${CLUSTERS[@]}"| sed 's/ $//'))"
}

down() {
  # The reverse of the start order.
  local i c
  for ((i = ${#CLUSTERS[@]} - 1; i >= 0; i--)); do
    c="${CLUSTERS[i]}"
    stop_service "kwok-$c" 15
    stop_service "kube-scheduler-$c" 15
    stop_service "kube-controller-manager-$c" 15
  done
  for ((i = ${#CLUSTERS[@]} - 1; i >= 0; i--)); do stop_service "kube-apiserver-${CLUSTERS[i]}" 30; done
  stop_service etcd 30
}

# status_one SERVICE VERSION PORT CHECK... : one status_line; health from CHECK
status_one() {
  local svc="$1" version="$2" port="$3" details="$4"; shift 4
  local pid health
  if pid="$(live_pid "$svc")"; then
    if "$@"; then health=up; else health=starting; fi
    status_line "$svc" "$version" "$port" "$health" "$pid" "rss=$(rss_mib "$pid")MiB $details"
  else
    status_line "$svc" "$version" "$port" down - ""; return 1
  fi
}

status() {
  local rc=0 c
  status_one etcd "$ETCD_VERSION" "$ETCD_PORT" "data=$DATA_DIR/etcd" etcd_ready || rc=1
  for c in "${CLUSTERS[@]}"; do
    status_one "kube-apiserver-$c" "$KUBERNETES_VERSION" "$(port_of KUBE_APISERVER "$c")" \
      "context=local-$c kubeconfig=$KUBECONFIG_FILE" apiserver_ready "$c" || rc=1
    status_one "kube-controller-manager-$c" "$KUBERNETES_VERSION" "$(port_of KUBE_CONTROLLER_MANAGER "$c")" "" \
      secure_healthz "$(port_of KUBE_CONTROLLER_MANAGER "$c")" || rc=1
    status_one "kube-scheduler-$c" "$KUBERNETES_VERSION" "$(port_of KUBE_SCHEDULER "$c")" "" \
      secure_healthz "$(port_of KUBE_SCHEDULER "$c")" || rc=1
    status_one "kwok-$c" "$KWOK_VERSION" "$(port_of KWOK "$c")" "node=kwok-$c-0" kwok_healthz "$(port_of KWOK "$c")" || rc=1
  done
  return $rc
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;; build) build ;;
  *) echo "usage: $0 up|down|status|build" >&2; exit 2 ;;
esac
