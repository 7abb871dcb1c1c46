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
// more password checks than sequential ones: at most freeFails are
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
	if codes[http.StatusUnauthorized] > freeFails || codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != 40 {
		t.Fatalf("40 parallel wrong logins: %v; want at most %d checked (401), the rest 429", codes, freeFails)
	}
}

// TestLimiterForgets: the account's count ends after forgetAfter without
// attempts and after a success, and the wait never exceeds maxDelay.
func TestLimiterForgets(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now })
	var waited time.Duration
	for i := 0; i < 40; i++ {
		ok, wait := l.try(adminAccount)
		if !ok {
			if wait > maxDelay {
				t.Fatalf("wait %v beyond %v", wait, maxDelay)
			}
			now = now.Add(wait)
			waited += wait
			continue
		}
	}
	if waited < maxDelay {
		t.Fatalf("40 attempts waited only %v in all", waited)
	}
	now = now.Add(forgetAfter + time.Minute)
	if ok, _ := l.try(adminAccount); !ok {
		t.Fatal("the count did not end after forgetAfter")
	}
	for i := 0; i < freeFails*3; i++ {
		if ok, _ := l.try(adminAccount); !ok {
			t.Fatalf("attempt %d refused although each succeeded", i)
		}
		l.succeeded(adminAccount)
	}
}
