package org.dgm4j.cli;

import java.util.List;
import org.dgm4j.flow.FlowFamily;
import org.dgm4j.helmholtz.HelmholtzFamily;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.vae.VaeFamily;

/** Every model family {@code dgm4j train} offers, in the order help lists them; one line each. */
final class ModelFamilies {
    static final List<ModelFamily> ALL = List.of(
            new VaeFamily(),
            new org.dgm4j.gan.GanFamily(),
            new org.dgm4j.gan.DcganFamily(),
            new org.dgm4j.gan.AaeFamily(),
            new org.dgm4j.gan.AliFamily(),
            new HelmholtzFamily(),
            FlowFamily.glow(),
            FlowFamily.realNvp(),
            FlowFamily.nice(),
            FlowFamily.realNvp2d());

    private ModelFamilies() {}

    static List<String> names() {
        return ALL.stream().map(ModelFamily::name).toList();
    }

    /** The family named {@code name}, or null. */
    static ModelFamily byName(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
