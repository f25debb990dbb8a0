package com.example.greeter.core;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A UTC offset as {@link TimezoneOffsets} reads it. Null or blank is left to {@code @NotBlank}. On
 * the field, so the error names the field's setting and so its variable.
 */
@Target(FIELD)
@Retention(RUNTIME)
@Constraint(validatedBy = Offset.Validator.class)
public @interface Offset {

  String message() default "must be an offset such as +05:30, -03:00, +5 or Z";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Checks the value with {@link TimezoneOffsets#parse}. */
  class Validator implements ConstraintValidator<Offset, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return value == null || value.isBlank() || TimezoneOffsets.parse(value).isPresent();
    }
  }
}
