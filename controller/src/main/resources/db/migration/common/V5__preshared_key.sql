-- One WireGuard preshared key per device<->peer link, generated on first config export, sealed with AES-GCM.
-- The pair is stored in canonical order (peer_low < peer_high as UUID text) so each link has exactly one row.
CREATE TABLE preshared_key (
    peer_low    UUID         NOT NULL,
    peer_high   UUID         NOT NULL,
    key_sealed  VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_preshared_key PRIMARY KEY (peer_low, peer_high),
    CONSTRAINT fk_preshared_key_low FOREIGN KEY (peer_low) REFERENCES peer (id) ON DELETE CASCADE,
    CONSTRAINT fk_preshared_key_high FOREIGN KEY (peer_high) REFERENCES peer (id) ON DELETE CASCADE
);
CREATE INDEX ix_preshared_key_high ON preshared_key (peer_high);
