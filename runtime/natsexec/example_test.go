package natsexec_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
)

var triple = daskgen.Func1(func(x int) int { return 3 * x }, daskgen.Register("natsexec_test.triple"))

// A server, a worker and a client in one process; in production they are a
// nats-server and processes of your own program on other machines.
func Example() {
	dir, _ := os.MkdirTemp("", "natsexec-example")
	defer os.RemoveAll(dir)
	srv, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	srv.Start()
	srv.ReadyForConnections(10e9)
	defer srv.WaitForShutdown()
	defer srv.Shutdown()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	worked := make(chan error)
	go func() { worked <- natsexec.Work(ctx, srv.ClientURL(), natsexec.Prefix("EXAMPLE")) }()

	ex, err := natsexec.Connect(context.Background(), srv.ClientURL(), natsexec.Prefix("EXAMPLE"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var ds []daskgen.Delayed[int]
	for i := range 5 {
		ds = append(ds, triple.Call(daskgen.Value(i)))
	}
	vs, err := daskgen.ComputeSlice(context.Background(), ds, daskgen.Using(ex))
	fmt.Println(vs, err)
	ex.Close()
	stop()
	fmt.Println(<-worked)
	// Output:
	// [0 3 6 9 12] <nil>
	// <nil>
}
