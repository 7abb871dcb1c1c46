// Command fleetseed fills an S3 bucket with a chain for bench/fleet.sh:
// SITES site folders of ARCHIVES small archives each, and each site's
// status record written by fleet.Write, as a real run writes it.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/dest/s3"
	"github.com/posbackup/posbackup/internal/fleet"
)

func main() {
	endpoint := flag.String("endpoint", "", "host:port of the S3 server (plain HTTP)")
	bucket := flag.String("bucket", "fleet", "bucket to create")
	prefix := flag.String("prefix", "chain", "folder of the chain")
	sites := flag.Int("sites", 500, "number of sites")
	archives := flag.Int("archives", 14, "archives per site")
	size := flag.Int("size", 4096, "bytes per archive")
	flag.Parse()
	ak, sk := os.Getenv("S3_ACCESS_KEY"), os.Getenv("POSBACKUP_S3_SECRET_KEY")
	ctx := context.Background()
	cl, err := minio.New(*endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		log.Fatal(err)
	}
	for try := 0; ; try++ { // the server may still be starting
		err := cl.MakeBucket(ctx, *bucket, minio.MakeBucketOptions{})
		if err == nil {
			break
		}
		if try == 100 {
			log.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	body := bytes.Repeat([]byte("x"), *size)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				site := fmt.Sprintf("site-%04d", i)
				for a := 0; a < *archives; a++ {
					key := fmt.Sprintf("%s/%s/M001_%02d.zip", *prefix, site, a)
					if _, err := cl.PutObject(ctx, *bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
						log.Fatal(err)
					}
				}
				d, err := s3.New(s3.Config{Endpoint: "http://" + *endpoint, PathStyle: true, Bucket: *bucket, Prefix: *prefix + "/" + site, AccessKey: ak, SecretKey: sk})
				if err != nil {
					log.Fatal(err)
				}
				run := fleet.Run{Site: site, Started: time.Now().Add(-time.Duration(i%40) * time.Hour), Archive: "M001_00.zip", Size: int64(*size), Variant: "03", Clients: []string{"M001"}, Program: "26.4.1", Period: 24 * time.Hour, Schedule: "daily 02:00"}
				if i%50 == 7 {
					run.Err = fmt.Errorf("the installation folder is missing")
				}
				if _, err := fleet.Write(ctx, d, run); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	for i := 0; i < *sites; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("seeded %d sites x %d archives (+ records) in %.1f s\n", *sites, *archives, time.Since(start).Seconds())
}
