package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/store/storetest"
)

// On MySQL a statement with arguments is interpolated by the driver: one
// round trip, with no statement prepared on the server.
func TestMySQLStatementsAreNotPreparedPerRequest(t *testing.T) {
	s := storetest.Open(t, "mysql")
	// One connection throughout, so its session's counter is the one the
	// statements move (or not).
	err := s.DB().Connection(func(conn *gorm.DB) error {
		prepared := func() int {
			var name, value string
			if err := conn.Raw("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Row().Scan(&name, &value); err != nil {
				t.Fatalf("status: %v", err)
			}
			n, err := strconv.Atoi(value)
			if err != nil {
				t.Fatalf("Com_stmt_prepare = %q", value)
			}
			return n
		}
		before := prepared()
		for range 3 {
			var n int64
			if err := conn.Raw("SELECT COUNT(*) FROM customers WHERE id > ?", 0).Scan(&n).Error; err != nil {
				return err
			}
		}
		if after := prepared(); after != before {
			t.Errorf("three statements with arguments prepared %d statements on the server, want 0", after-before)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The driver's escaping of interpolated arguments is safe in utf8mb4 but
// not in multibyte character sets such as gbk: a DSN asking for one is
// refused before any connection, naming the parameter.
func TestMySQLDSNRefusesCharacterSetsOtherThanUTF8MB4(t *testing.T) {
	for dsn, want := range map[string]string{
		"root@tcp(127.0.0.1:3306)/kamflow?parseTime=true&loc=UTC&charset=gbk":                       "charset=gbk",
		"root@tcp(127.0.0.1:3306)/kamflow?parseTime=true&loc=UTC&charset=utf8mb4,sjis":              "charset=sjis",
		"root@tcp(127.0.0.1:3306)/kamflow?parseTime=true&loc=UTC&collation=big5_chinese_ci":         "collation=big5_chinese_ci",
		"u:p?charset=utf8mb4@tcp(127.0.0.1:3306)/kamflow?parseTime=true&loc=UTC&charset=cp932":      "charset=cp932",
		"root@tcp(127.0.0.1:3306)/kamflow?parseTime=true&loc=UTC&charset=utf8mb4&collation=gbk_bin": "collation=gbk_bin",
	} {
		_, err := store.Open(context.Background(), store.Options{Driver: "mysql", DSN: dsn})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("open %s: %v, want ErrInvalid naming %s", dsn, err, want)
		}
	}
}
