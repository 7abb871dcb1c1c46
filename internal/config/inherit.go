package config

import "reflect"

// inherit returns b with every zero field taken from top.
func inherit(b, top Backup) Backup {
	bv := reflect.ValueOf(&b).Elem()
	tv := reflect.ValueOf(top)
	for i := 0; i < bv.NumField(); i++ {
		if bv.Field(i).IsZero() {
			bv.Field(i).Set(tv.Field(i))
		}
	}
	return b
}
