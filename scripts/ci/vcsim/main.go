// Command vcsim starts govmomi's vSphere simulator (VPX model) for Headroom's vSphere adapter tests.
// It builds in GOPATH mode against Debian's golang-github-vmware-govmomi-dev; see build-vcsim.sh.
//
// Usage: vcsim -l 127.0.0.1:8989 [-username admin -password secret]
// On start it prints one line "VCSIM_URL=http://127.0.0.1:PORT/sdk" to stdout; SIGINT or SIGTERM stops it.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listenAddress := flag.String("l", "127.0.0.1:8989", "loopback address and port to listen on (port 0 picks a free port)")
	username := flag.String("username", "", "username that may log in (empty: any non-empty credentials log in)")
	password := flag.String("password", "", "password of -username")
	flag.Parse()

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: creating the VPX model: %v", err)
	}
	defer model.Remove()

	listen := &url.URL{Host: *listenAddress}
	if *username != "" || *password != "" {
		listen.User = url.UserPassword(*username, *password)
	}
	model.Service.Listen = listen
	model.Service.TLS = nil

	server := model.Service.NewServer()
	defer server.Close()

	serverURL := *server.URL
	serverURL.User = nil
	fmt.Printf("VCSIM_URL=%s\n", serverURL.String())

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}
