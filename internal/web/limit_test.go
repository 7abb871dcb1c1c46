package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoginRateLimitParallel: wrong passwords sent all at once get no
// more password checks than sequential ones: at most maxFails are
// compared (401), the rest are refused (429).
func TestLoginRateLimitParallel(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.get("/")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			form := url.Values{"password": {"guess-" + strconv.Itoa(i)}, csrfField: {c.csrf}}
			req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			codes[res.StatusCode]++
			mu.Unlock()
		}(i)
	}
	close(start)
	wg.Wait()
	if codes[http.StatusUnauthorized] > maxFails || codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != 40 {
		t.Fatalf("40 parallel wrong logins: %v; want at most %d checked (401), the rest 429", codes, maxFails)
	}
	// The right password is refused too until the window has passed.
	code, _ := c.postForm("/login", url.Values{"password": {adminPW}, csrfField: {c.csrf}})
	if code != http.StatusTooManyRequests {
		t.Fatalf("right password after the parallel attempts: %d, want 429", code)
	}
}

// TestLimiterForgets: the limiter keeps no clients whose attempts are
// older than the window, and a success frees the attempt it reserved.
func TestLimiterForgets(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now })
	for i := 0; i < 3000; i++ {
		if !l.try("198.51.100." + strconv.Itoa(i)) {
			t.Fatal("a first attempt was refused")
		}
	}
	now = now.Add(failWindow + time.Second)
	l.try("192.0.2.1")
	l.mu.Lock()
	n := len(l.fails)
	l.mu.Unlock()
	if n > 1 {
		t.Fatalf("the limiter still holds %d clients after the window", n)
	}
	for i := 0; i < maxFails*3; i++ {
		if !l.try("192.0.2.2") {
			t.Fatalf("attempt %d refused although each succeeded", i)
		}
		l.succeeded("192.0.2.2")
	}
}
