// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3), built from the Go module
// proxy for the native local stack, where no etcd release binary can be downloaded.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
