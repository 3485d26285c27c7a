package main

import (
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/providers/genesys/genesystest"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
	"github.com/restconn/restconn/providers/okta/oktatest"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// fakeStarter starts a preset's fake server on the given listeners.
type fakeStarter func(l fakeListeners) *runningFake

// fakeListeners are the listeners a fake serves on: the API host, and the
// login host for fakes that have one.
type fakeListeners struct {
	api, login net.Listener
}

// runningFake is a started fake: where it is, and the values to give
// restconn to use it.
type runningFake struct {
	title   string
	urls    [][2]string // label, URL
	params  [][2]string // name, value: --param flags
	secrets [][2]string // name, value: RESTCONN_SECRET_ variables
	notes   []string
	// examples are command lines with %s where the flags that select the
	// fake (--preset, --param) go.
	examples []string
	close    func()
}

func (a *app) fakeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fake NAME",
		Short: "Start a built-in preset's fake server, to try restconn offline",
		Long: `Fake starts the fake server of a built-in preset (the same fake its tests
use: seeded data, the vendor's auth, paging and error shapes) and prints its
URL, the credentials it accepts and command lines to paste into another
terminal. It runs until interrupted (Ctrl+C).

The credentials are the fake's own, not secrets; they are printed so that you
can try every command in a minute.`,
		RunE: groupRunE(builtinNames()...),
	}
	for _, b := range builtins {
		cmd.AddCommand(a.fakeServerCmd(b))
	}
	return cmd
}

func (a *app) fakeServerCmd(b builtin) *cobra.Command {
	var addr, loginAddr string
	cmd := &cobra.Command{
		Use:     b.name,
		Short:   "Start a fake " + b.name + " server",
		Example: fmt.Sprintf("  restconn fake %s\n  restconn fake %s --addr 127.0.0.1:8080", b.name, b.name),
		Args:    exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			var ls fakeListeners
			var err error
			if ls.api, err = net.Listen("tcp", addr); err != nil {
				return fmt.Errorf("--addr: %w", err)
			}
			if loginAddr != "" {
				if ls.login, err = net.Listen("tcp", loginAddr); err != nil {
					ls.api.Close()
					return fmt.Errorf("--login-addr: %w", err)
				}
			}
			f := b.fake(ls)
			defer f.close()
			f.print(a.stdout, b.name)
			<-cmd.Context().Done()
			fmt.Fprintf(a.stderr, "fake %s stopped\n", b.name)
			return nil
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: any free port)")
	if b.name == "genesys" {
		// Genesys Cloud has a separate login host.
		cmd.Flags().StringVar(&loginAddr, "login-addr", "127.0.0.1:0", "listen for the OAuth login host on `HOST:PORT`")
	}
	return cmd
}

// print writes where the fake is and how to use it.
func (f *runningFake) print(w io.Writer, preset string) {
	fmt.Fprintf(w, "%s is running (stop it with Ctrl+C).\n\n", f.title)
	for _, u := range f.urls {
		fmt.Fprintf(w, "  %-6s %s\n", u[0], u[1])
	}
	for _, n := range f.notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintf(w, "\nTry, in another terminal:\n\n")
	for _, s := range f.secrets {
		fmt.Fprintf(w, "  export %s=%s\n", secretEnv(s[0]), shellQuote(s[1]))
	}
	flags := "--preset " + preset
	for _, p := range f.params {
		flags += " --param " + shellQuote(p[0]+"="+p[1])
	}
	for _, ex := range f.examples {
		fmt.Fprintf(w, "  "+ex+"\n", flags)
	}
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func startIntercom(l fakeListeners) *runningFake {
	return intercomFake(intercomtest.NewServer(intercomtest.WithListener(l.api)))
}

// intercomFake describes a running Intercom fake.
func intercomFake(srv *intercomtest.Server) *runningFake {
	return &runningFake{
		title:   "Fake Intercom API 2.11",
		urls:    [][2]string{{"URL", srv.URL}},
		params:  [][2]string{{"baseURL", srv.URL}, {"ticketTypeID", "1"}, {"adminID", "991267390"}},
		secrets: [][2]string{{"token", srv.Token}},
		notes:   []string{"4 admins, 3 teams; ticket type 1 \"Access request\"; admin 991267390 writes the notes"},
		examples: []string{
			"restconn connect %s",
			"restconn import accounts %s",
			"restconn import access %s",
			`echo '{"op":"addAccess","user":{"email":"ada@example.com"},"account":{"id":"991267393"},"entitlement":{"type":"team","id":"814866","name":"Billing"}}' | restconn plan --op addAccess %s --request -`,
			`echo '{"op":"addAccess","user":{"email":"ada@example.com"},"account":{"id":"991267393"},"entitlement":{"type":"team","id":"814866","name":"Billing"}}' | restconn provision %s --request -`,
			"restconn ticket status TICKET_ID %s",
			"restconn ticket comment TICKET_ID %s --text 'Approved by the team lead.'",
			"restconn ticket cancel TICKET_ID %s --reason 'No longer needed.'",
		},
		close: srv.Close,
	}
}

func startGenesys(l fakeListeners) *runningFake {
	opts := []genesystest.Option{genesystest.WithListener(l.api)}
	if l.login != nil {
		opts = append(opts, genesystest.WithLoginListener(l.login))
	}
	return genesysFake(genesystest.NewServer(opts...))
}

// genesysFake describes a running Genesys Cloud fake.
func genesysFake(srv *genesystest.Server) *runningFake {
	return &runningFake{
		title:   "Fake Genesys Cloud (SCIM 2.0 and OAuth client credentials)",
		urls:    [][2]string{{"API", srv.APIURL}, {"login", srv.LoginURL}},
		params:  [][2]string{{"apiBaseURL", srv.APIURL}, {"loginBaseURL", srv.LoginURL}, {"clientID", srv.ClientID}},
		secrets: [][2]string{{"clientSecret", srv.ClientSecret}},
		notes:   []string{"3 users (2 active), 2 groups"},
		examples: []string{
			"restconn connect %s",
			"restconn import accounts %s",
			"restconn import access %s --types group",
			`echo '{"op":"createAccount","user":{"email":"katherine.johnson@example.com","displayname":"Katherine Johnson"},"password":"Example-Passw0rd!"}' | restconn provision %s --request -`,
		},
		close: srv.Close,
	}
}

func startOTRS(l fakeListeners) *runningFake {
	return otrsFake(otrstest.NewServer(otrstest.WithListener(l.api)), otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword)
}

// otrsFake describes a running OTRS fake with an agent that can log in.
func otrsFake(srv *otrstest.Server, login, password string) *runningFake {
	return &runningFake{
		title:   "Fake OTRS/Znuny GenericTicketConnectorREST",
		urls:    [][2]string{{"URL", srv.URL}},
		params:  [][2]string{{"baseURL", srv.URL}, {"userLogin", login}},
		secrets: [][2]string{{"password", password}},
		notes:   []string{"tickets only: file one with 'restconn provision', then follow it with 'restconn ticket'"},
		examples: []string{
			"restconn connect %s",
			`echo '{"op":"addAccess","user":{"email":"jane.doe@example.com"},"account":{"id":"jdoe"},"entitlement":{"type":"group","id":"finance"}}' | restconn provision %s --request -`,
			"restconn ticket status TICKET_ID %s",
			"restconn ticket comment TICKET_ID %s --text 'Approved by the data owner.'",
			"restconn ticket cancel TICKET_ID %s --reason 'No longer needed.'",
		},
		close: srv.Close,
	}
}

func startOkta(l fakeListeners) *runningFake {
	return oktaFake(oktatest.NewServer(oktatest.WithListener(l.api)))
}

// oktaFake describes a running Okta fake.
func oktaFake(srv *oktatest.Server) *runningFake {
	return &runningFake{
		title:   "Fake Okta org (Management API, SSWS API token)",
		urls:    [][2]string{{"URL", srv.URL}},
		params:  [][2]string{{"orgURL", srv.URL}},
		secrets: [][2]string{{"token", srv.Token}},
		notes:   []string{"12 users in every status, 7 groups (Everyone included)"},
		examples: []string{
			"restconn connect %s",
			"restconn import accounts %s",
			"restconn import access %s",
			`echo '{"account":{"id":"00u1example"}}' | restconn plan --op disableAccount %s --request -`,
			`echo '{"op":"createAccount","user":{"email":"marie.curie@example.com","firstname":"Marie","lastname":"Curie"}}' | restconn provision %s --request -`,
		},
		close: srv.Close,
	}
}
