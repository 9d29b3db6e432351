package com.example.calc.impl;

import com.example.calc.api.Calculator;
import org.osgi.service.component.annotations.Component;

/** The endpoint Vessel calls: a Declarative Services component with the {@code vessel.endpoint} property. */
@Component(service = Calculator.class, property = "vessel.endpoint=calc")
public class CalculatorComponent implements Calculator {
    @Override
    public long add(long a, long b) {
        return Math.addExact(a, b);
    }
}
