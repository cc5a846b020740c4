package dev.wgmesh.controller.common;

import java.util.Set;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;

/** Sorting only by properties a list endpoint declares, so an unknown property is a 400, not a 500. */
public final class SortWhitelist {
    private SortWhitelist() {}

    public static Pageable check(Pageable pageable, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Sort.Order order : pageable.getSort()) {
            if (!ok.contains(order.getProperty())) {
                throw new InvalidInputException(
                        "sort",
                        "cannot sort by '" + order.getProperty() + "'; use one of " + String.join(", ", allowed));
            }
        }
        return pageable;
    }
}
