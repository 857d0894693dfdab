-- 0003: inventory (issue 4): warehouses, suppliers, products, stock per
-- product x warehouse, the append-only movements ledger, sales and
-- purchase orders, idempotency keys.  Quantities are whole units; money is
-- integer cents.  Locking order everywhere (app/domain/domain.h): the
-- document (order, purchase order, product), then stock rows by
-- (product_id, warehouse_id), then the audit chain's head.
CREATE TABLE IF NOT EXISTS warehouses (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	code		VARCHAR(20) NOT NULL,
	name		VARCHAR(100) NOT NULL,
	active		TINYINT(1) NOT NULL DEFAULT 1,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY warehouses_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS suppliers (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	name		VARCHAR(100) NOT NULL,
	email		VARCHAR(254) NOT NULL DEFAULT '',
	lead_time_days	INT UNSIGNED NOT NULL DEFAULT 7,
	active		TINYINT(1) NOT NULL DEFAULT 1,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY suppliers_name (name),
	CONSTRAINT suppliers_lead CHECK (lead_time_days <= 365)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS products (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	sku		VARCHAR(40) NOT NULL,
	name		VARCHAR(200) NOT NULL,
	description	TEXT NOT NULL,
	unit		VARCHAR(20) NOT NULL DEFAULT 'pcs',
	price_cents	BIGINT NOT NULL DEFAULT 0,
	cost_cents	BIGINT NOT NULL DEFAULT 0,
	reorder_point	INT NOT NULL DEFAULT 0,
	reorder_qty	INT NOT NULL DEFAULT 0,
	supplier_id	BIGINT UNSIGNED NULL,
	active		TINYINT(1) NOT NULL DEFAULT 1,
	version		INT UNSIGNED NOT NULL DEFAULT 1,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY products_sku (sku),
	KEY products_name (name),
	KEY products_supplier (supplier_id),
	CONSTRAINT products_supplier_fk FOREIGN KEY (supplier_id)
		REFERENCES suppliers (id),
	CONSTRAINT products_money CHECK (price_cents >= 0 AND cost_cents >= 0),
	CONSTRAINT products_reorder CHECK (reorder_point >= 0 AND reorder_qty >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS stock (
	product_id	BIGINT UNSIGNED NOT NULL,
	warehouse_id	BIGINT UNSIGNED NOT NULL,
	on_hand		BIGINT NOT NULL DEFAULT 0,
	reserved	BIGINT NOT NULL DEFAULT 0,
	updated_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (product_id, warehouse_id),
	KEY stock_warehouse (warehouse_id),
	CONSTRAINT stock_product_fk FOREIGN KEY (product_id) REFERENCES products (id),
	CONSTRAINT stock_warehouse_fk FOREIGN KEY (warehouse_id)
		REFERENCES warehouses (id),
	CONSTRAINT stock_bounds CHECK (reserved >= 0 AND on_hand >= reserved)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS stock_movements (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	product_id	BIGINT UNSIGNED NOT NULL,
	warehouse_id	BIGINT UNSIGNED NOT NULL,
	kind		ENUM('receipt','shipment','adjustment','transfer_out',
			    'transfer_in') NOT NULL,
	qty_delta	BIGINT NOT NULL,
	balance_after	BIGINT NOT NULL,
	reference	VARCHAR(64) NOT NULL DEFAULT '',
	note		VARCHAR(255) NOT NULL DEFAULT '',
	user_id		BIGINT UNSIGNED NULL,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY movements_stock (product_id, warehouse_id, id),
	KEY movements_warehouse (warehouse_id, id),
	KEY movements_kind (kind, id),
	KEY movements_created (created_at),
	CONSTRAINT movements_stock_fk FOREIGN KEY (product_id, warehouse_id)
		REFERENCES stock (product_id, warehouse_id),
	CONSTRAINT movements_delta CHECK (qty_delta <> 0 AND balance_after >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sales_orders (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer	VARCHAR(200) NOT NULL,
	warehouse_id	BIGINT UNSIGNED NOT NULL,
	status		ENUM('draft','confirmed','shipped','cancelled') NOT NULL
			    DEFAULT 'draft',
	note		VARCHAR(255) NOT NULL DEFAULT '',
	created_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY sales_orders_status (status, id),
	CONSTRAINT sales_orders_wh_fk FOREIGN KEY (warehouse_id)
		REFERENCES warehouses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sales_order_lines (
	order_id	BIGINT UNSIGNED NOT NULL,
	line_no		INT UNSIGNED NOT NULL,
	product_id	BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	price_cents	BIGINT NOT NULL,
	PRIMARY KEY (order_id, line_no),
	KEY sales_lines_product (product_id),
	CONSTRAINT sales_lines_order_fk FOREIGN KEY (order_id)
		REFERENCES sales_orders (id),
	CONSTRAINT sales_lines_product_fk FOREIGN KEY (product_id)
		REFERENCES products (id),
	CONSTRAINT sales_lines_qty CHECK (qty > 0 AND price_cents >= 0)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS purchase_orders (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	supplier_id	BIGINT UNSIGNED NOT NULL,
	warehouse_id	BIGINT UNSIGNED NOT NULL,
	status		ENUM('draft','ordered','partially_received','received',
			    'cancelled') NOT NULL DEFAULT 'draft',
	note		VARCHAR(255) NOT NULL DEFAULT '',
	created_by	BIGINT UNSIGNED NULL,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY purchase_orders_status (status, id),
	CONSTRAINT purchase_orders_supplier_fk FOREIGN KEY (supplier_id)
		REFERENCES suppliers (id),
	CONSTRAINT purchase_orders_wh_fk FOREIGN KEY (warehouse_id)
		REFERENCES warehouses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS purchase_order_lines (
	order_id	BIGINT UNSIGNED NOT NULL,
	line_no		INT UNSIGNED NOT NULL,
	product_id	BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	received	BIGINT NOT NULL DEFAULT 0,
	cost_cents	BIGINT NOT NULL,
	PRIMARY KEY (order_id, line_no),
	KEY purchase_lines_product (product_id),
	CONSTRAINT purchase_lines_order_fk FOREIGN KEY (order_id)
		REFERENCES purchase_orders (id),
	CONSTRAINT purchase_lines_product_fk FOREIGN KEY (product_id)
		REFERENCES products (id),
	CONSTRAINT purchase_lines_qty CHECK (qty > 0 AND received >= 0 AND
		received <= qty AND cost_cents >= 0)
) ENGINE=InnoDB;

-- API Idempotency-Key and one-time HTML form tokens: the key (scoped to
-- the user), a fingerprint of the request, and the first response.
CREATE TABLE IF NOT EXISTS idempotency_keys (
	user_id		BIGINT UNSIGNED NOT NULL,
	idem_key	VARCHAR(100) CHARACTER SET ascii NOT NULL,
	fingerprint	CHAR(64) CHARACTER SET ascii NOT NULL,
	status		SMALLINT UNSIGNED NOT NULL,
	location	VARCHAR(255) NOT NULL DEFAULT '',
	content_type	VARCHAR(100) NOT NULL DEFAULT '',
	body		MEDIUMTEXT NOT NULL,
	created_at	DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (user_id, idem_key),
	KEY idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
