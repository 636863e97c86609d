package localstack

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/lambdakit/lambdakit/localstack/states"
)

// startFront starts the embedded emulator's one endpoint: Step Functions
// calls go to the engine in this process, everything else to moto.
func (e *Emulator) startFront(o options) error {
	target, err := url.Parse(e.motoURL)
	if err != nil {
		return err
	}
	e.engine = states.New(states.WithRegion(o.region), states.WithTimeScale(o.waitScale), states.WithTaskRunner(&taskRunner{e: e}))
	proxy := httputil.NewSingleHostReverseProxy(target)
	// One connection per request: moto's server (werkzeug) closes
	// connections at will, and a reused one closing under a large response
	// cut that response short in a loaded run.
	proxy.Transport = &http.Transport{DisableKeepAlives: true, ResponseHeaderTimeout: 10 * time.Minute}
	proxy.FlushInterval = -1
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		// moto is gone or restarting; the caller sees a 502 and Emulator.Err says why.
		http.Error(w, "lambdakit: the embedded emulator (moto) did not answer: "+err.Error(), http.StatusBadGateway)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.front = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if states.IsRequest(r) {
			e.engine.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = e.front.Serve(ln) }()
	e.endpoint = "http://" + ln.Addr().String()
	return nil
}

// Engine returns the Step Functions engine behind the embedded emulator's
// endpoint, for tests that control its time ([states.Engine.HoldTime],
// [states.Engine.AdvanceTime]); nil for an attached endpoint.
func (e *Emulator) Engine() *states.Engine { return e.engine }
