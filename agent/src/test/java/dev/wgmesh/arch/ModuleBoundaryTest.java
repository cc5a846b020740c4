package dev.wgmesh.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The data plane must run alone as a wireguard-go drop-in, so it may not reach into the agent's control code
 * (enrolment, sync, gRPC) nor into the generated protocol stubs.
 */
class ModuleBoundaryTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("dev.wgmesh");

    @Test
    void dataPlaneDoesNotDependOnControlPlane() {
        noClasses()
                .that()
                .resideInAPackage("dev.wgmesh.dataplane..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.wgmesh.agent..", "dev.wgmesh.proto..", "io.grpc..")
                .because("the data plane runs standalone as a wireguard-go drop-in")
                .check(MAIN);
    }

    @Test
    void dataPlaneClassesExist() {
        // Guards the rule above against passing vacuously after a package rename.
        org.assertj.core.api.Assertions.assertThat(
                        MAIN.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(
                                "dev.wgmesh.dataplane..")))
                .isNotEmpty();
    }
}
