package io.decree.report;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

@Entity
@Table(name = "encoder")
public class EncoderEntity extends PanacheEntityBase {
    @Id
    public String sha256;
    public String name;
    @Column(name = "first_seen")
    public OffsetDateTime firstSeen;
}
