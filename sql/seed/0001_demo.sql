-- 0001_demo.sql: demo data for `make run` (tests/stack.sh loads sql/seed/*.sql
-- once, after the migrations, when SEED=1).  Runs on an empty, freshly
-- migrated database; plain INSERTs, no audit rows (the audit chain is the
-- server's).
--
-- What it makes: 4 warehouses, 11 suppliers (one inactive), 2,000 products
-- (a few archived, some without a preferred supplier or a reorder point),
-- ~4,700 stock rows with a ledger that adds up, sales orders in every
-- state (confirmed ones reserve their lines, shipped ones have shipment
-- rows), purchase orders in every state (received and partially received
-- ones have receipt rows), a few transfers and adjustments, and low stock
-- for the reorder suggestions.
--
-- Every stock change is made in steps of the form "UPDATE stock, then
-- INSERT the movement with balance_after = the updated on_hand", each step
-- touching a product x warehouse at most once, so on_hand always equals
-- the sum of the ledger and balance_after is the running balance.
--
-- Everything is derived from n, the product number (SKU BR-00001 is n = 1),
-- and k, the warehouse number (1 MAIN, 2 EAST, 3 WEST, 4 NORTH); the
-- ranges of n used for the different kinds of activity do not overlap:
--     1-600      shipped orders          1401-1500  transfers MAIN -> EAST
--     601-1000   confirmed orders        1501-1600  stock adjustments
--     1001-1400  draft/cancelled orders  1601-2000  purchase orders
-- Products with n % 23 = 0 start low, n % 29 = 0 are written off to zero,
-- n % 97 = 0 are archived; none of these is put on an order.

SET @t0 = CAST(DATE_FORMAT(NOW(6), '%Y-%m-%d %H:00:00') AS DATETIME(6));

DROP TABLE IF EXISTS seed_p, seed_w, seed_stock, seed_cand, seed_so,
    seed_sol, seed_po, seed_pol, seed_step;

-- Warehouses and suppliers ------------------------------------------------

INSERT INTO warehouses (code, name, active, created_at) VALUES
	('MAIN', 'Main warehouse', 1, @t0 - INTERVAL 400 DAY),
	('EAST', 'East distribution centre', 1, @t0 - INTERVAL 380 DAY),
	('WEST', 'West depot', 1, @t0 - INTERVAL 300 DAY),
	('NORTH', 'North depot', 1, @t0 - INTERVAL 200 DAY);

CREATE TABLE seed_w (k INT NOT NULL PRIMARY KEY, id BIGINT UNSIGNED NOT NULL)
    ENGINE=InnoDB;
INSERT INTO seed_w
SELECT CASE code WHEN 'MAIN' THEN 1 WHEN 'EAST' THEN 2 WHEN 'WEST' THEN 3
    ELSE 4 END, id
FROM warehouses;

INSERT INTO suppliers (name, email, lead_time_days, active, created_at) VALUES
	('Acme Industrial Supply', 'orders@acme-industrial.example', 5, 1, @t0 - INTERVAL 400 DAY),
	('Northwind Hardware', 'purchasing@northwind.example', 3, 1, @t0 - INTERVAL 400 DAY),
	('Baltic Fasteners', 'sales@balticfasteners.example', 14, 1, @t0 - INTERVAL 390 DAY),
	('Coastline Tools', 'trade@coastlinetools.example', 7, 1, @t0 - INTERVAL 370 DAY),
	('Meridian Components', 'orders@meridian-components.example', 21, 1, @t0 - INTERVAL 350 DAY),
	('Summit Safety Gear', 'b2b@summitsafety.example', 10, 1, @t0 - INTERVAL 330 DAY),
	('Riverside Plastics', 'sales@riverside-plastics.example', 2, 1, @t0 - INTERVAL 300 DAY),
	('Granite Building Supplies', 'trade@granite-bs.example', 30, 1, @t0 - INTERVAL 280 DAY),
	('Orion Electrical', 'orders@orion-electrical.example', 4, 1, @t0 - INTERVAL 250 DAY),
	('Pioneer Packaging', 'hello@pioneerpack.example', 12, 1, @t0 - INTERVAL 200 DAY),
	('Legacy Metals (closed)', '', 28, 0, @t0 - INTERVAL 900 DAY);

-- Products ------------------------------------------------------------------
-- "<adjective> <range> <item> <size>"; supplier 1 + n % 10 (as listed
-- above), none when n % 25 = 0; no reorder point when n % 10 = 0.

INSERT INTO products (sku, name, description, unit, price_cents, cost_cents,
    reorder_point, reorder_qty, supplier_id, active, version, created_at,
    updated_at)
SELECT CONCAT('BR-', LPAD(q.n, 5, '0')),
    CONCAT_WS(' ', q.adj, q.mat, q.noun, q.size),
    CASE WHEN q.n % 3 = 0 THEN ''
	ELSE CONCAT(q.adj, ' ', LOWER(q.noun), ' from the ', q.mat,
	    ' range, ', q.size, '. Unit: ', q.unit, '.') END,
    q.unit, q.price, q.price * (50 + q.n % 20) DIV 100,
    CASE WHEN q.n % 10 = 0 THEN 0 ELSE 10 + (q.n * 13) % 41 END,
    CASE WHEN q.n % 10 = 0 THEN 0 ELSE 24 + ((q.n * 7) % 9) * 12 END,
    (SELECT s.id FROM suppliers s WHERE s.name = ELT(1 + q.n % 10,
	'Acme Industrial Supply', 'Northwind Hardware', 'Baltic Fasteners',
	'Coastline Tools', 'Meridian Components', 'Summit Safety Gear',
	'Riverside Plastics', 'Granite Building Supplies', 'Orion Electrical',
	'Pioneer Packaging') AND q.n % 25 <> 0),
    q.n % 97 <> 0, 1 + (q.n % 7 = 0) + (q.n % 49 = 0),
    @t0 - INTERVAL (400 - q.n DIV 6) DAY,
    @t0 - INTERVAL (400 - q.n DIV 6) DAY + INTERVAL (q.n % 7 = 0) * 30 DAY
FROM (
	SELECT seq AS n,
	    ELT(1 + seq % 20, 'Heavy-duty', 'Compact', 'Premium', 'Standard',
		'Stainless', 'Galvanized', 'Industrial', 'Lightweight',
		'Reinforced', 'Economy', 'Professional', 'Insulated',
		'Waterproof', 'Adjustable', 'Folding', 'Coated', 'Precision',
		'Universal', 'Magnetic', 'Ergonomic') AS adj,
	    ELT(1 + (seq DIV 20) % 10, 'ProLine', 'Titan', 'Everyday',
		'Atlas', 'Forge', 'Nordic', 'Summit', 'Vector', 'Kestrel',
		'Orbit') AS mat,
	    ELT(1 + (seq * 7 + seq DIV 600) % 25, 'Hinge', 'Bracket', 'Hex Bolt',
		'Wood Screw', 'Washer', 'Cable Tie', 'Shelf', 'Drawer Slide',
		'Door Handle', 'Pipe Clamp', 'Garden Hose', 'Duct Tape',
		'Work Glove', 'Toolbox', 'Step Ladder', 'Sealant',
		'Paint Roller', 'LED Lamp', 'Extension Cord', 'Padlock',
		'Chain', 'Castor Wheel', 'Drill Bit', 'Saw Blade',
		'Storage Bin') AS noun,
	    ELT(1 + (seq * 7 + seq DIV 600) % 25, 'pcs', 'pcs', 'box', 'box', 'box', 'pack',
		'pcs', 'pair', 'pcs', 'pcs', 'roll', 'roll', 'pair', 'pcs',
		'pcs', 'tube', 'pcs', 'pcs', 'pcs', 'pcs', 'm', 'pcs', 'set',
		'pcs', 'pcs') AS unit,
	    ELT(1 + (seq * 7 + seq DIV 600) % 25,
		ELT(1 + (seq DIV 25) % 3, '75 mm', '100 mm', '125 mm'),
		ELT(1 + (seq DIV 25) % 3, '50 mm', '100 mm', '150 mm'),
		ELT(1 + (seq DIV 25) % 3, 'M6 x 40', 'M8 x 60', 'M10 x 80'),
		ELT(1 + (seq DIV 25) % 3, '4 x 30 mm', '4 x 50 mm', '5 x 70 mm'),
		ELT(1 + (seq DIV 25) % 3, 'M6', 'M8', 'M10'),
		ELT(1 + (seq DIV 25) % 3, '150 mm', '200 mm', '300 mm'),
		ELT(1 + (seq DIV 25) % 3, '600 mm', '900 mm', '1200 mm'),
		ELT(1 + (seq DIV 25) % 3, '300 mm', '450 mm', '500 mm'),
		ELT(1 + (seq DIV 25) % 3, 'Lever', 'Pull', 'Round'),
		ELT(1 + (seq DIV 25) % 3, '15 mm', '22 mm', '28 mm'),
		ELT(1 + (seq DIV 25) % 3, '10 m', '15 m', '25 m'),
		ELT(1 + (seq DIV 25) % 3, '25 m', '50 m', '48 mm x 50 m'),
		ELT(1 + (seq DIV 25) % 3, 'Size S', 'Size M', 'Size L'),
		ELT(1 + (seq DIV 25) % 3, '16 in', '19 in', '22 in'),
		ELT(1 + (seq DIV 25) % 3, '3 steps', '4 steps', '5 steps'),
		ELT(1 + (seq DIV 25) % 3, '290 ml', '310 ml', '600 ml'),
		ELT(1 + (seq DIV 25) % 3, '100 mm', '180 mm', '230 mm'),
		ELT(1 + (seq DIV 25) % 3, '5 W', '9 W', '15 W'),
		ELT(1 + (seq DIV 25) % 3, '3 m', '5 m', '10 m'),
		ELT(1 + (seq DIV 25) % 3, '30 mm', '40 mm', '50 mm'),
		ELT(1 + (seq DIV 25) % 3, '4 mm', '6 mm', '8 mm'),
		ELT(1 + (seq DIV 25) % 3, '50 mm', '75 mm', '100 mm'),
		ELT(1 + (seq DIV 25) % 3, '6 mm', '8 mm', '10 mm'),
		ELT(1 + (seq DIV 25) % 3, '165 mm', '190 mm', '250 mm'),
		ELT(1 + (seq DIV 25) % 3, '10 l', '25 l', '50 l')) AS size,
	    (199 + (seq * 7919) % 24800) DIV 100 * 100 + 99 AS price
	FROM seq_1_to_2000
) q
ORDER BY q.n;

CREATE TABLE seed_p (n INT NOT NULL PRIMARY KEY, id BIGINT UNSIGNED NOT NULL,
    supplier_id BIGINT UNSIGNED NULL, price BIGINT NOT NULL,
    cost BIGINT NOT NULL, reorder_qty INT NOT NULL, active INT NOT NULL)
    ENGINE=InnoDB;
INSERT INTO seed_p
SELECT CAST(SUBSTRING(sku, 4) AS UNSIGNED), id, supplier_id, price_cents,
    cost_cents, reorder_qty, active
FROM products;

-- Stock: MAIN carries everything, EAST n % 3 <> 0, WEST even n, NORTH
-- n % 5 = 0.  kind: 'low' starts at 3-9 units (under every reorder point),
-- 'gone' is written off to zero later, 'off' is archived, else 'normal'
-- (at least 40 units).
CREATE TABLE seed_stock (n INT NOT NULL, k INT NOT NULL, r BIGINT NOT NULL,
    kind VARCHAR(10) NOT NULL, PRIMARY KEY (n, k)) ENGINE=InnoDB;
INSERT INTO seed_stock
SELECT p.n, w.k,
    CASE WHEN p.n % 23 = 0 THEN 3 + p.n % 7
	ELSE 40 + (p.n * 37 + w.k * 101) % 400 END,
    CASE WHEN p.n % 97 = 0 THEN 'off' WHEN p.n % 23 = 0 THEN 'low'
	WHEN p.n % 29 = 0 THEN 'gone' ELSE 'normal' END
FROM seed_p p JOIN seed_w w
WHERE w.k = 1 OR (w.k = 2 AND p.n % 3 <> 0) OR (w.k = 3 AND p.n % 2 = 0)
    OR (w.k = 4 AND p.n % 5 = 0);

INSERT INTO stock (product_id, warehouse_id, on_hand, reserved, updated_at)
SELECT p.id, w.id, s.r, 0, @t0 - INTERVAL 90 DAY
FROM seed_stock s JOIN seed_p p ON p.n = s.n JOIN seed_w w ON w.k = s.k;

-- Opening balance: one receipt per stock row.
INSERT INTO stock_movements (product_id, warehouse_id, kind, qty_delta,
    balance_after, reference, note, user_id, created_at)
SELECT p.id, w.id, 'receipt', s.r, s.r, 'OPENING', 'Opening balance', NULL,
    @t0 - INTERVAL 90 DAY + INTERVAL (s.n * 4 + s.k) SECOND
FROM seed_stock s JOIN seed_p p ON p.n = s.n JOIN seed_w w ON w.k = s.k
ORDER BY s.n, s.k;

-- One stock step: seed_step holds (product, warehouse, delta, kind,
-- reference, note, at, ord), each product x warehouse at most once.
CREATE TABLE seed_step (product_id BIGINT UNSIGNED NOT NULL,
    warehouse_id BIGINT UNSIGNED NOT NULL, delta BIGINT NOT NULL,
    kind VARCHAR(20) NOT NULL, reference VARCHAR(64) NOT NULL,
    note VARCHAR(255) NOT NULL, at DATETIME(6) NOT NULL, ord BIGINT NOT NULL,
    PRIMARY KEY (product_id, warehouse_id)) ENGINE=InnoDB;

-- Transfers MAIN -> EAST (two ledger rows each) ------------------------------

INSERT INTO seed_step
SELECT p.id, wm.id, -(5 + s.n % 11), 'transfer_out', CONCAT('TR-', s.n),
    'Rebalancing to EAST', @t0 - INTERVAL 60 DAY + INTERVAL s.n MINUTE,
    s.n * 2
FROM seed_stock s JOIN seed_p p ON p.n = s.n
JOIN seed_w wm ON wm.k = 1
JOIN seed_stock se ON se.n = s.n AND se.k = 2 AND se.kind = 'normal'
WHERE s.k = 1 AND s.kind = 'normal' AND s.n BETWEEN 1401 AND 1500
UNION ALL
SELECT p.id, we.id, 5 + s.n % 11, 'transfer_in', CONCAT('TR-', s.n),
    'Rebalancing from MAIN', @t0 - INTERVAL 60 DAY + INTERVAL s.n MINUTE,
    s.n * 2 + 1
FROM seed_stock s JOIN seed_p p ON p.n = s.n
JOIN seed_w we ON we.k = 2
JOIN seed_stock sm ON sm.n = s.n AND sm.k = 1 AND sm.kind = 'normal'
WHERE s.k = 2 AND s.kind = 'normal' AND s.n BETWEEN 1401 AND 1500;

UPDATE stock st JOIN seed_step x ON x.product_id = st.product_id
    AND x.warehouse_id = st.warehouse_id
SET st.on_hand = st.on_hand + x.delta, st.updated_at = x.at;
INSERT INTO stock_movements (product_id, warehouse_id, kind, qty_delta,
    balance_after, reference, note, user_id, created_at)
SELECT x.product_id, x.warehouse_id, x.kind, x.delta, st.on_hand,
    x.reference, x.note, NULL, x.at
FROM seed_step x JOIN stock st ON st.product_id = x.product_id
    AND st.warehouse_id = x.warehouse_id
ORDER BY x.ord;
DELETE FROM seed_step;

-- Sales orders -------------------------------------------------------------
-- k 1-60 shipped, 61-70 cancelled, 71-100 confirmed, 101-120 draft; older
-- first.  Order k ships from warehouse 1 + k % 4 and has 1 + (k * 7) % 4
-- lines, each a different product drawn from its pool.  Drafts are
-- stocked in their warehouse and can be confirmed, except every seventh
-- (its first line asks for 500: confirming it shows the 409 with the
-- short line).

CREATE TABLE seed_cand (pool VARCHAR(10) NOT NULL, k INT NOT NULL,
    rn INT NOT NULL, n INT NOT NULL, PRIMARY KEY (pool, k, rn)) ENGINE=InnoDB;
INSERT INTO seed_cand
SELECT 'ship', s.k, ROW_NUMBER() OVER (PARTITION BY s.k
    ORDER BY (s.n * 7919) % 601, s.n), s.n
FROM seed_stock s WHERE s.kind = 'normal' AND s.n BETWEEN 1 AND 600;
INSERT INTO seed_cand
SELECT 'confirm', s.k, ROW_NUMBER() OVER (PARTITION BY s.k
    ORDER BY (s.n * 7919) % 401, s.n), s.n
FROM seed_stock s WHERE s.kind = 'normal' AND s.n BETWEEN 601 AND 1000;
INSERT INTO seed_cand
SELECT 'draft', s.k, ROW_NUMBER() OVER (PARTITION BY s.k
    ORDER BY (s.n * 7919) % 401, s.n), s.n
FROM seed_stock s WHERE s.kind = 'normal' AND s.n BETWEEN 1001 AND 1400;
INSERT INTO seed_cand
SELECT 'other', w.k, ROW_NUMBER() OVER (PARTITION BY w.k
    ORDER BY (p.n * 7919) % 401, p.n), p.n
FROM seed_p p JOIN seed_w w
WHERE p.active = 1 AND p.n BETWEEN 1001 AND 1400;

CREATE TABLE seed_so (k INT NOT NULL PRIMARY KEY, status VARCHAR(20) NOT NULL,
    pool VARCHAR(10) NOT NULL, wk INT NOT NULL, nl INT NOT NULL,
    first INT NOT NULL, customer VARCHAR(200) NOT NULL,
    note VARCHAR(255) NOT NULL, created_at DATETIME(6) NOT NULL,
    shipped_at DATETIME(6) NOT NULL, id BIGINT UNSIGNED NULL) ENGINE=InnoDB;
INSERT INTO seed_so
SELECT o.k, o.status, o.pool, o.wk, o.nl,
    SUM(o.nl) OVER (PARTITION BY o.pool, o.wk ORDER BY o.k) - o.nl,
    ELT(1 + (o.k * 7) % 20, 'Harbor Cafe Ltd', 'Greenfield Farms',
	'Bluebird Builders', 'City Plumbing Co', 'Oakridge School',
	'Sunrise Hotel', 'Maple Street Garage', 'Northside Electrics',
	'Riverbend Marina', 'Crescent Dental Clinic', 'Hillview Apartments',
	'Lakeside Brewery', 'Summit Fitness', 'Redwood Carpentry',
	'Silverline Logistics', 'Tidewater Restaurant', 'Evergreen Landscaping',
	'Copperleaf Interiors', 'Parkside Library', 'Westgate Motors'),
    CASE WHEN o.k % 6 = 0 THEN 'Deliver to the loading bay'
	WHEN o.k % 9 = 0 THEN 'Customer collects' ELSE '' END,
    @t0 - INTERVAL (121 - o.k) * 9 HOUR,
    @t0 - INTERVAL (121 - o.k) * 9 HOUR + INTERVAL 1 DAY, NULL
FROM (
	SELECT seq AS k,
	    CASE WHEN seq <= 60 THEN 'shipped' WHEN seq <= 70 THEN 'cancelled'
		WHEN seq <= 100 THEN 'confirmed' ELSE 'draft' END AS status,
	    CASE WHEN seq <= 60 THEN 'ship' WHEN seq <= 70 THEN 'other'
		WHEN seq <= 100 THEN 'confirm' ELSE 'draft' END AS pool,
	    1 + seq % 4 AS wk, 1 + (seq * 7) % 4 AS nl
	FROM seq_1_to_120
) o;

INSERT INTO sales_orders (customer, warehouse_id, status, note, created_by,
    created_at, updated_at)
SELECT o.customer, w.id, o.status, o.note, NULL, o.created_at,
    CASE o.status WHEN 'shipped' THEN o.shipped_at
	WHEN 'cancelled' THEN o.created_at + INTERVAL 2 HOUR
	WHEN 'confirmed' THEN o.created_at + INTERVAL 30 MINUTE
	ELSE o.created_at END
FROM seed_so o JOIN seed_w w ON w.k = o.wk
ORDER BY o.k;
UPDATE seed_so o JOIN sales_orders so ON so.created_at = o.created_at
SET o.id = so.id;

CREATE TABLE seed_sol (k INT NOT NULL, line_no INT NOT NULL, n INT NOT NULL,
    qty BIGINT NOT NULL, PRIMARY KEY (k, line_no)) ENGINE=InnoDB;
INSERT INTO seed_sol
SELECT o.k, l.seq, c.n,
    CASE o.pool WHEN 'ship' THEN 1 + (o.k + l.seq * 3) % 10
	WHEN 'confirm' THEN 1 + (o.k + l.seq) % 8
	WHEN 'draft' THEN CASE WHEN o.k % 7 = 0 AND l.seq = 1 THEN 500
	    ELSE 1 + (o.k * 3 + l.seq) % 20 END
	ELSE 1 + (o.k * 3 + l.seq) % 20 END
FROM seed_so o JOIN seq_1_to_4 l ON l.seq <= o.nl
JOIN seed_cand c ON c.pool = o.pool AND c.k = o.wk AND c.rn = o.first + l.seq;

INSERT INTO sales_order_lines (order_id, line_no, product_id, qty,
    price_cents)
SELECT o.id, l.line_no, p.id, l.qty, p.price
FROM seed_sol l JOIN seed_so o ON o.k = l.k JOIN seed_p p ON p.n = l.n
ORDER BY o.id, l.line_no;

-- Shipped orders: their shipments (each product x warehouse once: the ship
-- pool hands out each stock row once).
INSERT INTO seed_step
SELECT p.id, w.id, -l.qty, 'shipment', CONCAT('SO-', o.id), '',
    o.shipped_at + INTERVAL l.line_no SECOND, o.k * 10 + l.line_no
FROM seed_sol l JOIN seed_so o ON o.k = l.k AND o.status = 'shipped'
JOIN seed_p p ON p.n = l.n JOIN seed_w w ON w.k = o.wk;
UPDATE stock st JOIN seed_step x ON x.product_id = st.product_id
    AND x.warehouse_id = st.warehouse_id
SET st.on_hand = st.on_hand + x.delta, st.updated_at = x.at;
INSERT INTO stock_movements (product_id, warehouse_id, kind, qty_delta,
    balance_after, reference, note, user_id, created_at)
SELECT x.product_id, x.warehouse_id, x.kind, x.delta, st.on_hand,
    x.reference, x.note, NULL, x.at
FROM seed_step x JOIN stock st ON st.product_id = x.product_id
    AND st.warehouse_id = x.warehouse_id
ORDER BY x.ord;
DELETE FROM seed_step;

-- Adjustments: stocktake corrections in MAIN, and the 'gone' rows written
-- off to zero (sold-out products for the reorder suggestions).
INSERT INTO seed_step
SELECT p.id, w.id,
    CASE WHEN s.kind = 'gone' THEN -st.on_hand
	WHEN s.n % 2 = 0 THEN 1 + s.n % 5 ELSE -(1 + s.n % 5) END,
    'adjustment', CONCAT('COUNT-', DATE_FORMAT(@t0 - INTERVAL 20 DAY, '%Y%m%d')),
    CASE WHEN s.kind = 'gone' THEN 'Stocktake: none found, written off'
	WHEN s.n % 2 = 0 THEN 'Stocktake: found more than recorded'
	WHEN s.n % 3 = 0 THEN 'Damaged in handling'
	ELSE 'Stocktake: fewer than recorded' END,
    @t0 - INTERVAL 20 DAY + INTERVAL s.n * 4 + s.k SECOND, s.n * 4 + s.k
FROM seed_stock s JOIN seed_p p ON p.n = s.n JOIN seed_w w ON w.k = s.k
JOIN stock st ON st.product_id = p.id AND st.warehouse_id = w.id
WHERE (s.kind = 'gone' AND st.on_hand > 0)
    OR (s.kind = 'normal' AND s.k = 1 AND s.n BETWEEN 1501 AND 1600);
UPDATE stock st JOIN seed_step x ON x.product_id = st.product_id
    AND x.warehouse_id = st.warehouse_id
SET st.on_hand = st.on_hand + x.delta, st.updated_at = x.at;
INSERT INTO stock_movements (product_id, warehouse_id, kind, qty_delta,
    balance_after, reference, note, user_id, created_at)
SELECT x.product_id, x.warehouse_id, x.kind, x.delta, st.on_hand,
    x.reference, x.note, NULL, x.at
FROM seed_step x JOIN stock st ON st.product_id = x.product_id
    AND st.warehouse_id = x.warehouse_id
ORDER BY x.ord;
DELETE FROM seed_step;

-- Confirmed orders reserve their lines (each stock row at most once, at
-- most 8 of at least 40 units).
UPDATE stock st JOIN (
	SELECT p.id AS product_id, w.id AS warehouse_id, SUM(l.qty) AS qty
	FROM seed_sol l JOIN seed_so o ON o.k = l.k AND o.status = 'confirmed'
	JOIN seed_p p ON p.n = l.n JOIN seed_w w ON w.k = o.wk
	GROUP BY p.id, w.id
) r ON r.product_id = st.product_id AND r.warehouse_id = st.warehouse_id
SET st.reserved = st.reserved + r.qty;

-- Purchase orders ------------------------------------------------------------
-- k 1-15 received, 16-19 cancelled, 20-25 partially received, 26-33
-- ordered, 34-38 draft.  PO k is for supplier 1 + k % 10 and warehouse
-- MAIN, EAST or WEST; its 2-5 lines are that supplier's products among
-- n 1601-2000, each product on one PO only.

CREATE TABLE seed_po (k INT NOT NULL PRIMARY KEY, status VARCHAR(20) NOT NULL,
    sname VARCHAR(100) NOT NULL, wk INT NOT NULL, nl INT NOT NULL,
    first INT NOT NULL, note VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL, received_at DATETIME(6) NOT NULL,
    id BIGINT UNSIGNED NULL) ENGINE=InnoDB;
INSERT INTO seed_po
SELECT o.k, o.status, o.sname, o.wk, o.nl,
    SUM(o.nl) OVER (PARTITION BY o.sname ORDER BY o.k) - o.nl,
    CASE WHEN o.k % 4 = 0 THEN 'Confirm delivery date by email'
	WHEN o.k % 5 = 0 THEN 'Deliver to the rear gate' ELSE '' END,
    @t0 - INTERVAL (40 - o.k) DAY - INTERVAL 3 HOUR,
    @t0 - INTERVAL 14 DAY + INTERVAL o.k * 12 HOUR, NULL
FROM (
	SELECT seq AS k,
	    CASE WHEN seq <= 15 THEN 'received' WHEN seq <= 19 THEN 'cancelled'
		WHEN seq <= 25 THEN 'partially_received'
		WHEN seq <= 33 THEN 'ordered' ELSE 'draft' END AS status,
	    ELT(1 + seq % 10, 'Acme Industrial Supply', 'Northwind Hardware',
		'Baltic Fasteners', 'Coastline Tools', 'Meridian Components',
		'Summit Safety Gear', 'Riverside Plastics',
		'Granite Building Supplies', 'Orion Electrical',
		'Pioneer Packaging') AS sname,
	    1 + seq % 3 AS wk, 2 + seq % 4 AS nl
	FROM seq_1_to_38
) o;

INSERT INTO purchase_orders (supplier_id, warehouse_id, status, note,
    created_by, created_at, updated_at)
SELECT s.id, w.id, o.status, o.note, NULL, o.created_at,
    CASE WHEN o.status IN ('received', 'partially_received')
	THEN o.received_at ELSE o.created_at + INTERVAL 1 HOUR END
FROM seed_po o JOIN suppliers s ON s.name = o.sname
JOIN seed_w w ON w.k = o.wk
ORDER BY o.k;
UPDATE seed_po o JOIN purchase_orders po ON po.created_at = o.created_at
SET o.id = po.id;

CREATE TABLE seed_pol (k INT NOT NULL, line_no INT NOT NULL, n INT NOT NULL,
    qty BIGINT NOT NULL, received BIGINT NOT NULL, PRIMARY KEY (k, line_no))
    ENGINE=InnoDB;
INSERT INTO seed_pol
SELECT o.k, l.seq, c.n, c.qty,
    CASE WHEN o.status = 'received' THEN c.qty
	WHEN o.status = 'partially_received' AND l.seq = 1 THEN c.qty DIV 2
	WHEN o.status = 'partially_received' AND l.seq = 3 THEN c.qty
	ELSE 0 END
FROM seed_po o JOIN seq_1_to_5 l ON l.seq <= o.nl
JOIN (
	SELECT s.name AS sname, p.n,
	    CASE WHEN p.reorder_qty > 0 THEN p.reorder_qty ELSE 50 END AS qty,
	    ROW_NUMBER() OVER (PARTITION BY s.name ORDER BY p.n) AS rn
	FROM seed_p p JOIN suppliers s ON s.id = p.supplier_id
	WHERE p.active = 1 AND p.n BETWEEN 1601 AND 2000
) c ON c.sname = o.sname AND c.rn = o.first + l.seq;

INSERT INTO purchase_order_lines (order_id, line_no, product_id, qty,
    received, cost_cents)
SELECT o.id, l.line_no, p.id, l.qty, l.received, p.cost
FROM seed_pol l JOIN seed_po o ON o.k = l.k JOIN seed_p p ON p.n = l.n
ORDER BY o.id, l.line_no;

-- Receipts of the received and partially received POs; a PO's warehouse
-- may not carry the product yet.
INSERT IGNORE INTO stock (product_id, warehouse_id, on_hand, reserved,
    updated_at)
SELECT p.id, w.id, 0, 0, o.received_at
FROM seed_pol l JOIN seed_po o ON o.k = l.k JOIN seed_p p ON p.n = l.n
JOIN seed_w w ON w.k = o.wk
WHERE l.received > 0;
INSERT INTO seed_step
SELECT p.id, w.id, l.received, 'receipt', CONCAT('PO-', o.id), '',
    o.received_at + INTERVAL l.line_no SECOND, o.k * 10 + l.line_no
FROM seed_pol l JOIN seed_po o ON o.k = l.k JOIN seed_p p ON p.n = l.n
JOIN seed_w w ON w.k = o.wk
WHERE l.received > 0;
UPDATE stock st JOIN seed_step x ON x.product_id = st.product_id
    AND x.warehouse_id = st.warehouse_id
SET st.on_hand = st.on_hand + x.delta, st.updated_at = x.at;
INSERT INTO stock_movements (product_id, warehouse_id, kind, qty_delta,
    balance_after, reference, note, user_id, created_at)
SELECT x.product_id, x.warehouse_id, x.kind, x.delta, st.on_hand,
    x.reference, x.note, NULL, x.at
FROM seed_step x JOIN stock st ON st.product_id = x.product_id
    AND st.warehouse_id = x.warehouse_id
ORDER BY x.ord;

DROP TABLE seed_p, seed_w, seed_stock, seed_cand, seed_so, seed_sol, seed_po,
    seed_pol, seed_step;
