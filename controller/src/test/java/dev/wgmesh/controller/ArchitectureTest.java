package dev.wgmesh.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.CanBeAnnotated;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.persistence.Entity;
import org.junit.jupiter.api.Test;
import org.springframework.data.repository.Repository;
import org.springframework.web.bind.annotation.RestController;

/**
 * Package by feature (STYLE.md §10): a feature's entities and repositories are its own; other features go through its
 * public service and records. Controllers stay thin (no repositories, no JDBC). No cycles between features.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.wgmesh.controller");

    @Test
    void entitiesStayInsideTheirFeature() {
        classes().that().areAnnotatedWith(Entity.class).should().notBePublic().check(CLASSES);
        for (String feature : new String[] {"network", "site", "peer", "audit"}) {
            String pkg = "dev.wgmesh.controller." + feature + "..";
            noClasses()
                    .that()
                    .resideOutsideOfPackage(pkg)
                    .should()
                    .dependOnClassesThat(JavaClass.Predicates.resideInAPackage(pkg)
                            .and(CanBeAnnotated.Predicates.annotatedWith(Entity.class)))
                    .check(CLASSES);
        }
    }

    @Test
    void repositoriesAreUsedOnlyByTheirOwnFeature() {
        classes()
                .that()
                .areAssignableTo(Repository.class)
                .should()
                .notBePublic()
                .check(CLASSES);
    }

    @Test
    void controllersAreThin() {
        noClasses()
                .that()
                .areAnnotatedWith(RestController.class)
                .should()
                .dependOnClassesThat()
                .areAssignableTo(Repository.class)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework.jdbc..", "jakarta.persistence..")
                .check(CLASSES);
    }

    @Test
    void featuresDoNotFormCycles() {
        slices().matching("dev.wgmesh.controller.(*)..")
                .should()
                .beFreeOfCycles()
                .check(CLASSES);
    }

    @Test
    void sharedPackagesDependOnNoFeature() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.wgmesh.controller.common..",
                        "dev.wgmesh.controller.ipam..",
                        "dev.wgmesh.controller.keys..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.wgmesh.controller.network..",
                        "dev.wgmesh.controller.site..",
                        "dev.wgmesh.controller.peer..",
                        "dev.wgmesh.controller.config..",
                        "dev.wgmesh.controller.web..")
                .check(CLASSES);
    }
}
