-- Enrolment keys bound to a site go with it (the site table arrives with the networks/sites feature, V2).
ALTER TABLE enrolment_key
    ADD CONSTRAINT fk_enrolment_key_site FOREIGN KEY (site_id) REFERENCES site (id) ON DELETE CASCADE;
